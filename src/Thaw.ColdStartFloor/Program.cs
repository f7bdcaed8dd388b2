using System.Diagnostics;
using System.Globalization;
using Microsoft.ML.OnnxRuntime;
using Microsoft.ML.Tokenizers;

// thaw-floor <model.onnx> <vocab.txt> [text]: start, create the session from a prepared (already optimized) model,
// tokenize one sentence, run it, print one JSON line of timings. No host, no DI, no configuration, no logging: what
// any .NET program pays to give the first answer, so that `thaw bench coldstart` can say what Thaw adds to it.
if (args.Length is < 2 or > 3)
{
    Console.Error.WriteLine("usage: thaw-floor <model.onnx> <vocab.txt> [text]");
    return 2;
}

double mainMs = (DateTime.Now - Process.GetCurrentProcess().StartTime).TotalMilliseconds;
long started = Stopwatch.GetTimestamp();

// The same session settings as Thaw's for a prepared snapshot (OnnxEncoderBackend): no graph optimization (done
// when the snapshot was built), sequential, one intra-op thread per core, no spinning.
using var options = new SessionOptions
{
    GraphOptimizationLevel = GraphOptimizationLevel.ORT_DISABLE_ALL,
    ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
    IntraOpNumThreads = Environment.ProcessorCount,
};
options.AddSessionConfigEntry("session.intra_op.allow_spinning", "0");
using var session = new InferenceSession(args[0], options);
double sessionMs = Stopwatch.GetElapsedTime(started).TotalMilliseconds;

long tokenizing = Stopwatch.GetTimestamp();
BertTokenizer tokenizer = BertTokenizer.Create(args[1], new BertOptions { LowerCaseBeforeTokenization = true });
IReadOnlyList<int> ids = tokenizer.EncodeToIds(args.Length == 3 ? args[2] : "Thaw cold-start probe.", 256, out _, out _);
double tokenizerMs = Stopwatch.GetElapsedTime(tokenizing).TotalMilliseconds;

long running = Stopwatch.GetTimestamp();
long[] shape = [1, ids.Count];
long[] inputIds = [.. ids.Select(id => (long)id)];
long[] mask = [.. ids.Select(_ => 1L)];
using OrtValue input = OrtValue.CreateTensorValueFromMemory(inputIds, shape);
using OrtValue attention = OrtValue.CreateTensorValueFromMemory(mask, shape);
using OrtValue types = OrtValue.CreateTensorValueFromMemory(new long[ids.Count], shape);
using var run = new RunOptions();
using IDisposableReadOnlyCollection<OrtValue> outputs = session.Run(
    run, ["input_ids", "attention_mask", "token_type_ids"], [input, attention, types], ["last_hidden_state"]);

// Mean pooling and L2 normalization, as the model card says.
ReadOnlySpan<float> hidden = outputs[0].GetTensorDataAsSpan<float>();
int dimensions = hidden.Length / ids.Count;
var embedding = new double[dimensions];
for (int t = 0; t < ids.Count; t++)
{
    for (int d = 0; d < dimensions; d++)
    {
        embedding[d] += hidden[(t * dimensions) + d];
    }
}

double norm = Math.Sqrt(embedding.Sum(v => v * v));
double runMs = Stopwatch.GetElapsedTime(running).TotalMilliseconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"{{\"main_ms\":{mainMs:0.0},\"session_ms\":{sessionMs:0.0},\"tokenizer_ms\":{tokenizerMs:0.0},\"run_ms\":{runMs:0.0},\"tokens\":{ids.Count},\"dimensions\":{dimensions},\"first\":{embedding[0] / norm:0.000000}}}"));
return 0;
