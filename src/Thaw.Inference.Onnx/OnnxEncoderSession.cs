using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Backends;

namespace Thaw.Inference.Onnx;

/// <summary>
/// A BERT-style encoder in ONNX Runtime. Inputs are wrapped as OrtValues over the managed arrays (no copy);
/// only <c>last_hidden_state</c> is fetched, never the unused pooler output.
/// </summary>
internal sealed class OnnxEncoderSession : IEncoderSession
{
    private const string OutputName = "last_hidden_state";
    private static readonly string[] OutputNames = [OutputName];

    private readonly InferenceSession _session;
    private readonly string[] _inputNames;

    public OnnxEncoderSession(InferenceSession session, string executionProvider, string modelId)
    {
        _session = session;
        ExecutionProvider = executionProvider;
        IReadOnlyCollection<string> inputs = session.InputNames;
        if (!inputs.Contains("input_ids") || !inputs.Contains("attention_mask") || !session.OutputNames.Contains(OutputName))
        {
            throw new InvalidOperationException(
                $"Model '{modelId}' is not a BERT-style encoder: it needs inputs input_ids and attention_mask and output {OutputName} " +
                $"(it has inputs {string.Join(", ", inputs)} and outputs {string.Join(", ", session.OutputNames)}).");
        }

        _inputNames = inputs.Contains("token_type_ids") ? ["input_ids", "attention_mask", "token_type_ids"] : ["input_ids", "attention_mask"];
    }

    public string ExecutionProvider { get; }

    public IEncoderOutput Run(EncoderBatch batch, CancellationToken cancellationToken = default)
    {
        cancellationToken.ThrowIfCancellationRequested();
        long[] shape = [batch.BatchSize, batch.SequenceLength];
        using var inputIds = OrtValue.CreateTensorValueFromMemory(batch.InputIds, shape);
        using var attentionMask = OrtValue.CreateTensorValueFromMemory(batch.AttentionMask, shape);
        using var tokenTypeIds = OrtValue.CreateTensorValueFromMemory(batch.TokenTypeIds, shape);
        OrtValue[] inputs = _inputNames.Length == 3 ? [inputIds, attentionMask, tokenTypeIds] : [inputIds, attentionMask];

        return new Output(CancellableRun.Invoke(options => _session.Run(options, _inputNames, inputs, OutputNames), "forward pass", cancellationToken));
    }

    public void Dispose() => _session.Dispose();

    private sealed class Output(IDisposableReadOnlyCollection<OrtValue> values) : IEncoderOutput
    {
        private readonly OrtValue _hidden = values.First();

        public int HiddenSize => (int)_hidden.GetTensorTypeAndShape().Shape[2];

        public ReadOnlySpan<float> LastHiddenState => _hidden.GetTensorDataAsSpan<float>();

        public void Dispose() => values.Dispose();
    }
}
