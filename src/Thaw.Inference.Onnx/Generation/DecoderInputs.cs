using Thaw.Inference.Generation.Decoding;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>The checks every backend makes on a step before touching its cache.</summary>
internal static class DecoderInputs
{
    public static void Validate(IReadOnlyList<DecoderInput> inputs, ReadOnlySpan<int> lengths, int contextLength, int logitsLength, int vocabSize)
    {
        if (logitsLength < inputs.Count * vocabSize)
        {
            throw new ArgumentException($"The logits buffer holds {logitsLength} floats; {inputs.Count} inputs need {inputs.Count * vocabSize}.", nameof(logitsLength));
        }

        Span<bool> seen = lengths.Length <= 1024 ? stackalloc bool[lengths.Length] : new bool[lengths.Length];
        foreach (DecoderInput input in inputs)
        {
            if ((uint)input.Slot >= (uint)lengths.Length)
            {
                throw new ArgumentOutOfRangeException(nameof(inputs), $"Slot {input.Slot} does not exist (the session has {lengths.Length}).");
            }

            if (seen[input.Slot])
            {
                throw new ArgumentException($"Slot {input.Slot} appears twice in one step.", nameof(inputs));
            }

            seen[input.Slot] = true;
            if (input.Tokens.IsEmpty)
            {
                throw new ArgumentException($"The input for slot {input.Slot} has no tokens.", nameof(inputs));
            }

            if (lengths[input.Slot] + input.Tokens.Length > contextLength)
            {
                throw new ArgumentException(
                    $"Slot {input.Slot} holds {lengths[input.Slot]} tokens; {input.Tokens.Length} more exceed the context length {contextLength}.", nameof(inputs));
            }
        }
    }
}
