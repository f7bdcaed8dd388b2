namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>What <see cref="TokenizerJsonReader"/> reads out of a byte-level BPE <c>tokenizer.json</c>.</summary>
internal sealed record ByteLevelBpeDefinition(
    Dictionary<string, int> Vocabulary,
    IReadOnlyList<string> Merges,
    bool IgnoreMerges,
    IReadOnlyList<AddedToken> AddedTokens,
    TextNormalization Normalization,
    IReadOnlyList<PreTokenizerStage> Stages,
    bool AddPrefixSpace,
    IReadOnlyList<int> PrefixIds,
    IReadOnlyList<int> SuffixIds,
    string? BeginningOfSequenceToken,
    string? EndOfSequenceToken);
