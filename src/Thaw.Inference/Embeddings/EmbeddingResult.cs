namespace Thaw.Inference.Embeddings;

/// <summary>One vector per input, in input order.</summary>
/// <param name="Vectors">The embeddings.</param>
/// <param name="PromptTokens">Tokens the model processed, [CLS] and [SEP] included, after truncation.</param>
/// <param name="TruncatedInputs">How many inputs were longer than the model's maximum and lost their tail.</param>
public sealed record EmbeddingResult(float[][] Vectors, int PromptTokens, int TruncatedInputs);
