using System.Text;
using Microsoft.ML.Tokenizers;

namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// A byte-level BPE tokenizer read from a Hugging Face <c>tokenizer.json</c> (GPT-2, Qwen2, Llama 3, SmolLM): added
/// tokens, normalizer and pre-tokenizer pipeline here, the merges on Microsoft.ML.Tokenizers' <see cref="BpeTokenizer"/>.
/// </summary>
public sealed class ByteLevelBpeTokenizer : ITextTokenizer
{
    private readonly BpeTokenizer _bpe;
    private readonly Dictionary<string, int>.AlternateLookup<ReadOnlySpan<char>> _vocab;
    private readonly bool _ignoreMerges;
    private readonly AddedTokenSplitter _splitter;
    private readonly Dictionary<string, AddedToken> _addedByContent;
    private readonly TextNormalization _normalization;
    private readonly PreTokenizerStage[] _stages;
    private readonly bool _addPrefixSpace;
    private readonly int[] _prefixIds;
    private readonly int[] _suffixIds;
    private readonly byte[][] _tokenBytes;
    private readonly bool[] _special;

    internal ByteLevelBpeTokenizer(ByteLevelBpeDefinition definition)
    {
        _bpe = BpeTokenizer.Create(new BpeOptions(definition.Vocabulary) { Merges = definition.Merges, ByteLevel = true });
        _vocab = definition.Vocabulary.GetAlternateLookup<ReadOnlySpan<char>>();
        _ignoreMerges = definition.IgnoreMerges;
        _splitter = new AddedTokenSplitter(definition.AddedTokens);
        _addedByContent = new Dictionary<string, AddedToken>(StringComparer.Ordinal);
        foreach (AddedToken token in definition.AddedTokens)
        {
            _addedByContent[token.Content] = token;
        }

        _normalization = definition.Normalization;
        _stages = [.. definition.Stages];
        _addPrefixSpace = definition.AddPrefixSpace;
        _prefixIds = [.. definition.PrefixIds];
        _suffixIds = [.. definition.SuffixIds];

        int maxId = -1;
        foreach (int id in definition.Vocabulary.Values)
        {
            maxId = Math.Max(maxId, id);
        }

        foreach (AddedToken token in definition.AddedTokens)
        {
            maxId = Math.Max(maxId, token.Id);
        }

        VocabSize = maxId + 1;
        _tokenBytes = new byte[VocabSize][];
        _special = new bool[VocabSize];
        foreach ((string spelling, int id) in definition.Vocabulary)
        {
            _tokenBytes[id] = ByteLevelAlphabet.TryGetBytes(spelling, out byte[] bytes)
                ? bytes
                : throw new InvalidDataException($"tokenizer.json: vocabulary entry {id} is not spelled in the byte-level alphabet.");
        }

        foreach (AddedToken token in definition.AddedTokens)
        {
            _tokenBytes[token.Id] = Encoding.UTF8.GetBytes(token.Content);
            _special[token.Id] = token.Special;
        }

        for (int id = 0; id < VocabSize; id++)
        {
            _tokenBytes[id] ??= [];
        }

        BeginningOfSequenceId = Lookup(definition.BeginningOfSequenceToken) ?? (_prefixIds.Length > 0 ? _prefixIds[0] : null);
        EndOfSequenceId = Lookup(definition.EndOfSequenceToken);
    }

    public int VocabSize { get; }

    public int? BeginningOfSequenceId { get; }

    public int? EndOfSequenceId { get; }

    /// <summary>Reads a <c>tokenizer.json</c>, and optionally its <c>tokenizer_config.json</c> for the BOS and EOS tokens.</summary>
    /// <exception cref="InvalidDataException">The file is malformed or uses a feature this reader does not support.</exception>
    public static ByteLevelBpeTokenizer FromTokenizerJson(Stream tokenizerJson, Stream? tokenizerConfigJson = null)
    {
        ArgumentNullException.ThrowIfNull(tokenizerJson);
        return new ByteLevelBpeTokenizer(TokenizerJsonReader.Read(tokenizerJson, tokenizerConfigJson));
    }

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        var ids = new List<int>(text.Length / 3 + 4);
        if (addSpecialTokens)
        {
            ids.AddRange(_prefixIds);
        }

        var segments = new List<(int Start, int Length, AddedToken? Token)>();
        _splitter.Split(text, segments);
        var pieces = new List<(int Start, int Length)>();
        var next = new List<(int Start, int Length)>();
        foreach ((int start, int length, AddedToken? token) in segments)
        {
            if (token is not null)
            {
                ids.Add(token.Id);
                continue;
            }

            string segment = _normalization.Apply(text.Substring(start, length));
            if (_addPrefixSpace && segment.Length > 0 && segment[0] != ' ')
            {
                segment = " " + segment;
            }

            pieces.Clear();
            pieces.Add((0, segment.Length));
            foreach (PreTokenizerStage stage in _stages)
            {
                next.Clear();
                foreach ((int pieceStart, int pieceLength) in pieces)
                {
                    stage.Split(segment, pieceStart, pieceLength, next);
                }

                (pieces, next) = (next, pieces);
            }

            foreach ((int pieceStart, int pieceLength) in pieces)
            {
                EncodePiece(segment.AsSpan(pieceStart, pieceLength), ids);
            }
        }

        if (addSpecialTokens)
        {
            ids.AddRange(_suffixIds);
        }

        return ids;
    }

    public int CountTokens(string text, bool addSpecialTokens) => Encode(text, addSpecialTokens).Count;

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens) =>
        TokenBytesDecoder.Decode(this, ids, skipSpecialTokens, dropFirstSpace: false);

    public bool TryGetSpecialTokenId(string text, out int id)
    {
        if (_addedByContent.TryGetValue(text, out AddedToken? token))
        {
            id = token.Id;
            return true;
        }

        id = -1;
        return false;
    }

    public bool IsSpecial(int id) => (uint)id < (uint)_special.Length && _special[id];

    public ReadOnlySpan<byte> GetTokenBytes(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, VocabSize);
        return _tokenBytes[id];
    }

    private void EncodePiece(ReadOnlySpan<char> piece, List<int> ids)
    {
        if (piece.IsEmpty)
        {
            return;
        }

        // Llama 3's tokenizer.json sets ignore_merges, as tiktoken does: a piece that is a whole vocabulary entry is that
        // entry, even where the merges would reach it differently.
        if (_ignoreMerges && TryLookupWhole(piece, out int whole))
        {
            ids.Add(whole);
            return;
        }

        ids.AddRange(_bpe.EncodeToIds(piece, considerPreTokenization: false, considerNormalization: false));
    }

    private bool TryLookupWhole(ReadOnlySpan<char> piece, out int id)
    {
        int maxBytes = Encoding.UTF8.GetMaxByteCount(piece.Length);
        if (maxBytes > 1024)
        {
            id = -1;
            return false;
        }

        Span<byte> utf8 = stackalloc byte[maxBytes];
        int count = Encoding.UTF8.GetBytes(piece, utf8);
        Span<char> spelling = stackalloc char[count];
        for (int i = 0; i < count; i++)
        {
            spelling[i] = ByteLevelAlphabet.CharOf(utf8[i]);
        }

        return _vocab.TryGetValue(spelling, out id);
    }

    private int? Lookup(string? token)
    {
        if (token is null)
        {
            return null;
        }

        if (_addedByContent.TryGetValue(token, out AddedToken? added))
        {
            return added.Id;
        }

        return _vocab.Dictionary.TryGetValue(token, out int id)
            ? id
            : throw new InvalidDataException($"tokenizer_config.json names the token '{token}', which the tokenizer does not have.");
    }
}
