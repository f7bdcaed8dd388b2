using System.Text;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Inference.Tests.Generation.Completions;

/// <summary>
/// A tokenizer whose every token is one ASCII letter (id i is 'a' + i % 26) except <see cref="EndOfSequence"/>, a
/// special token: so the text of any token sequence is known, and a stop sequence can be placed across tokens.
/// </summary>
internal sealed class LetterTokenizer(int vocabSize) : ITextTokenizer
{
    public int EndOfSequence => VocabSize - 1;

    public int VocabSize { get; } = vocabSize;

    public int? BeginningOfSequenceId => null;

    public int? EndOfSequenceId => EndOfSequence;

    public static string TextOf(IEnumerable<int> ids) => string.Concat(ids.Select(id => (char)('a' + (id % 26))));

    public IReadOnlyList<int> Encode(string text, bool addSpecialTokens) => [.. text.Select(c => c - 'a')];

    public int CountTokens(string text, bool addSpecialTokens) => text.Length;

    public string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens)
    {
        var text = new StringBuilder();
        foreach (int id in ids)
        {
            if (!(skipSpecialTokens && IsSpecial(id)))
            {
                text.Append((char)('a' + (id % 26)));
            }
        }

        return text.ToString();
    }

    public bool TryGetSpecialTokenId(string text, out int id)
    {
        id = EndOfSequence;
        return text == "</s>";
    }

    public bool IsSpecial(int id) => id == EndOfSequence;

    public ReadOnlySpan<byte> GetTokenBytes(int id) => IsSpecial(id) ? "</s>"u8 : new[] { (byte)('a' + (id % 26)) };
}
