using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// A SentencePiece BPE model (<c>tokenizer.model</c>: Llama 2, Mistral, Phi-3) on Microsoft.ML.Tokenizers'
/// <see cref="LlamaTokenizer"/>, with the raw bytes of every piece for streaming (<c>▁</c> is a space,
/// <c>&lt;0xNN&gt;</c> byte-fallback pieces are one byte each).
/// </summary>
public sealed class SentencePieceBpeTokenizer : ITextTokenizer
{
    private readonly LlamaTokenizer _tokenizer;
    private readonly Dictionary<string, int> _special;
    private readonly byte[][] _tokenBytes;
    private readonly bool[] _isSpecial;

    private SentencePieceBpeTokenizer(LlamaTokenizer tokenizer, IReadOnlyDictionary<string, int>? addedSpecialTokens)
    {
        _tokenizer = tokenizer;
        _special = new Dictionary<string, int>(StringComparer.Ordinal)
        {
            [tokenizer.BeginningOfSentenceToken] = tokenizer.BeginningOfSentenceId,
            [tokenizer.EndOfSentenceToken] = tokenizer.EndOfSentenceId,
            [tokenizer.UnknownToken] = tokenizer.UnknownId,
        };
        if (addedSpecialTokens is not null)
        {
            foreach ((string text, int id) in addedSpecialTokens)
            {
                _special[text] = id;
            }
        }

        int maxId = -1;
        foreach (int id in tokenizer.Vocabulary.Values)
        {
            maxId = Math.Max(maxId, id);
        }

        foreach (int id in _special.Values)
        {
            maxId = Math.Max(maxId, id);
        }

        VocabSize = maxId + 1;
        _tokenBytes = new byte[VocabSize][];
        _isSpecial = new bool[VocabSize];
        foreach ((string piece, int id) in tokenizer.Vocabulary)
        {
            _tokenBytes[id] = PieceBytes(piece, tokenizer.ByteFallback);
        }

        foreach ((string text, int id) in _special)
        {
            _tokenBytes[id] = Encoding.UTF8.GetBytes(text);
            _isSpecial[id] = true;
        }

        for (int id = 0; id < VocabSize; id++)
        {
            _tokenBytes[id] ??= [];
        }
    }

    public int VocabSize { get; }

    public int? BeginningOfSequenceId => _tokenizer.BeginningOfSentenceId;

    public int? EndOfSequenceId => _tokenizer.EndOfSentenceId;

    /// <summary>
    /// Reads a SentencePiece <c>tokenizer.model</c>. <paramref name="addBeginningOfSentence"/> is what encoding with
    /// special tokens prepends (true for Llama); <paramref name="specialTokens"/> are the model's added tokens
    /// (<c>&lt;|user|&gt;</c>), matched in the text.
    /// </summary>
    public static SentencePieceBpeTokenizer Create(
        Stream model,
        bool addBeginningOfSentence = true,
        bool addEndOfSentence = false,
        IReadOnlyDictionary<string, int>? specialTokens = null)
    {
        ArgumentNullException.ThrowIfNull(model);
        LlamaTokenizer tokenizer;
        try
        {
            tokenizer = LlamaTokenizer.Create(model, addBeginningOfSentence, addEndOfSentence, specialTokens);
        }
        // A malformed protobuf surfaces as Google.Protobuf.InvalidProtocolBufferException, an IOException.
        catch (Exception e) when (e is IOException or ArgumentException or InvalidOperationException or NotSupportedException)
        {
            throw new InvalidDataException($"tokenizer.model could not be read as a SentencePiece BPE model: {e.Message}", e);
        }

        return new SentencePieceBpeTokenizer(tokenizer, specialTokens);
    }

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens)
    {
        ArgumentNullException.ThrowIfNull(text);
        return _tokenizer.EncodeToIds(
            text,
            addBeginningOfSentence: addSpecialTokens && _tokenizer.AddBeginningOfSentence,
            addEndOfSentence: addSpecialTokens && _tokenizer.AddEndOfSentence);
    }

    public int CountTokens(string text, bool addSpecialTokens) => Encode(text, addSpecialTokens).Count;

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens) =>
        TokenBytesDecoder.Decode(this, ids, skipSpecialTokens, dropFirstSpace: _tokenizer.AddDummyPrefix);

    public bool TryGetSpecialTokenId(string text, out int id) => _special.TryGetValue(text, out id);

    public bool IsSpecial(int id) => (uint)id < (uint)_isSpecial.Length && _isSpecial[id];

    public ReadOnlySpan<byte> GetTokenBytes(int id)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(id);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(id, VocabSize);
        return _tokenBytes[id];
    }

    private static byte[] PieceBytes(string piece, bool byteFallback)
    {
        if (byteFallback && piece.Length == 6 && piece.StartsWith("<0x", StringComparison.Ordinal) && piece[5] == '>'
            && byte.TryParse(piece.AsSpan(3, 2), NumberStyles.HexNumber, CultureInfo.InvariantCulture, out byte value))
        {
            return [value];
        }

        return Encoding.UTF8.GetBytes(piece.Replace('\u2581', ' '));
    }
}
