namespace Thaw.Inference.Tokenization;

/// <summary>Token ids of one input, with [CLS] and [SEP], cut to the model's maximum.</summary>
/// <param name="Ids">The ids the model sees.</param>
/// <param name="Truncated">True when the input had more tokens than the model takes and the tail was dropped.</param>
public readonly record struct TokenizedInput(int[] Ids, bool Truncated);
