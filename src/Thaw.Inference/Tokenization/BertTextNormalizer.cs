using System.Globalization;
using System.Text;
using Microsoft.ML.Tokenizers;

namespace Thaw.Inference.Tokenization;

/// <summary>
/// The normalization of Hugging Face's <c>BertNormalizer</c> (the fast tokenizer that sentence-transformers
/// models were trained with): drop NUL, U+FFFD and control/format characters, turn every whitespace
/// character (tab and newlines included) into a space, put spaces around CJK ideographs, strip accents
/// (NFD, then drop non-spacing marks) and lower-case.
/// </summary>
/// <remarks>
/// Microsoft.ML.Tokenizers' own BertNormalizer (2.0.1) deletes tabs and newlines instead of treating them as
/// spaces, so "Tabs\tand" becomes one word (dotnet/machinelearning#7724); this class replaces it.
/// </remarks>
internal sealed class BertTextNormalizer(bool lowercase, bool stripAccents) : Normalizer
{
    public override string Normalize(string original) => Normalize(original.AsSpan());

    public override string Normalize(ReadOnlySpan<char> original)
    {
        var cleaned = new StringBuilder(original.Length + 8);
        foreach (Rune rune in original.EnumerateRunes())
        {
            if (rune.Value is 0 or 0xFFFD || (IsOther(rune) && rune.Value is not ('\t' or '\n' or '\r')))
            {
                continue;
            }

            if (Rune.IsWhiteSpace(rune))
            {
                cleaned.Append(' ');
            }
            else if (IsCjkIdeograph(rune.Value))
            {
                cleaned.Append(' ').Append(rune.ToString()).Append(' ');
            }
            else
            {
                cleaned.Append(rune.ToString());
            }
        }

        string text = cleaned.ToString();
        if (stripAccents)
        {
            text = StripNonSpacingMarks(text.Normalize(NormalizationForm.FormD));
        }

        return lowercase ? text.ToLowerInvariant() : text;
    }

    private static string StripNonSpacingMarks(string decomposed)
    {
        var builder = new StringBuilder(decomposed.Length);
        foreach (char c in decomposed)
        {
            if (CharUnicodeInfo.GetUnicodeCategory(c) != UnicodeCategory.NonSpacingMark)
            {
                builder.Append(c);
            }
        }

        return builder.ToString();
    }

    private static bool IsOther(Rune rune) =>
        Rune.GetUnicodeCategory(rune) is UnicodeCategory.Control or UnicodeCategory.Format
            or UnicodeCategory.PrivateUse or UnicodeCategory.OtherNotAssigned or UnicodeCategory.Surrogate;

    private static bool IsCjkIdeograph(int c) =>
        c is (>= 0x4E00 and <= 0x9FFF) or (>= 0x3400 and <= 0x4DBF) or (>= 0x20000 and <= 0x2A6DF)
            or (>= 0x2A700 and <= 0x2B73F) or (>= 0x2B740 and <= 0x2B81F) or (>= 0x2B920 and <= 0x2CEAF)
            or (>= 0xF900 and <= 0xFAFF) or (>= 0x2F800 and <= 0x2FA1F);
}
