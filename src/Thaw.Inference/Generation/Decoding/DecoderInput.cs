namespace Thaw.Inference.Generation.Decoding;

/// <summary>
/// One row of a decoder step: the sequence held in <paramref name="Slot"/> appends <paramref name="Tokens"/> to its
/// KV cache (a prompt chunk during prefill, or the one token just sampled during decode). The first token's position
/// is the slot's current length.
/// </summary>
public readonly record struct DecoderInput(int Slot, ReadOnlyMemory<int> Tokens);
