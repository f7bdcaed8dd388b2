using System.Runtime.InteropServices;
using System.Text;

namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>Whole-sequence decode from per-token bytes, shared by the tokenizers so it matches what streaming emits.</summary>
internal static class TokenBytesDecoder
{
    // dropFirstSpace: SentencePiece's dummy prefix, one space before the first piece that is not text.
    public static string Decode(ITextTokenizer tokenizer, ReadOnlySpan<int> ids, bool skipSpecialTokens, bool dropFirstSpace)
    {
        var bytes = new List<byte>(ids.Length * 4);
        foreach (int id in ids)
        {
            if (skipSpecialTokens && tokenizer.IsSpecial(id))
            {
                continue;
            }

            ReadOnlySpan<byte> piece = tokenizer.GetTokenBytes(id);
            if (dropFirstSpace && bytes.Count == 0 && piece.Length > 0 && piece[0] == (byte)' ')
            {
                piece = piece[1..];
            }

            bytes.AddRange(piece);
        }

        return Encoding.UTF8.GetString(CollectionsMarshal.AsSpan(bytes));
    }
}
