using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Onnx.Generation.Synthetic;

namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>
/// One batch-1 forward pass of a synthetic graph with its cache in managed arrays (past in, present out, never
/// shared): the plainest use of the graph, to check the graph itself before any backend runs it.
/// </summary>
internal static class RawDecoderStep
{
    public static float[][] EmptyCache(SyntheticDecoderConfig config) => [.. Enumerable.Range(0, 2 * config.Layers).Select(_ => Array.Empty<float>())];

    public static (float[] Logits, float[][] Present) Run(InferenceSession session, SyntheticDecoderConfig config, int[] tokens, float[][] past)
    {
        int n = tokens.Length;
        int pastLength = past[0].Length / (config.KvHeads * config.HeadDim);
        var values = new List<OrtValue>();
        var names = new List<string>();
        void Add(string name, OrtValue value)
        {
            names.Add(name);
            values.Add(value);
        }

        try
        {
            Add("input_ids", OrtValue.CreateTensorValueFromMemory(tokens.Select(t => (long)t).ToArray(), [1, n]));
            Add("attention_mask", OrtValue.CreateTensorValueFromMemory(Enumerable.Repeat(1L, pastLength + n).ToArray(), [1, pastLength + n]));
            if (!config.Rotary)
            {
                Add("position_ids", OrtValue.CreateTensorValueFromMemory(Enumerable.Range(pastLength, n).Select(p => (long)p).ToArray(), [1, n]));
            }

            for (int i = 0; i < config.Layers; i++)
            {
                long[] shape = [1, config.KvHeads, pastLength, config.HeadDim];
                Add($"past_key_values.{i}.key", OrtValue.CreateTensorValueFromMemory(past[2 * i], shape));
                Add($"past_key_values.{i}.value", OrtValue.CreateTensorValueFromMemory(past[(2 * i) + 1], shape));
            }

            string[] outputs = ["logits", .. Enumerable.Range(0, config.Layers).SelectMany(i => new[] { $"present.{i}.key", $"present.{i}.value" })];
            using var runOptions = new RunOptions();
            using IDisposableReadOnlyCollection<OrtValue> results = session.Run(runOptions, names, values, outputs);
            return (results[0].GetTensorDataAsSpan<float>().ToArray(), [.. results.Skip(1).Select(r => r.GetTensorDataAsSpan<float>().ToArray())]);
        }
        finally
        {
            foreach (OrtValue value in values)
            {
                value.Dispose();
            }
        }
    }
}
