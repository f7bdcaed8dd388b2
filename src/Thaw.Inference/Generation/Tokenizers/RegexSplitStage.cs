using System.Text.RegularExpressions;

namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// Hugging Face's <c>Split</c> pre-tokenizer (and the regex half of <c>ByteLevel</c>): each match becomes a piece
/// (<c>Isolated</c>) or is dropped (<c>Removed</c>); the text between matches stays a piece.
/// </summary>
internal sealed class RegexSplitStage : PreTokenizerStage
{
    // GPT-2's pattern, which ByteLevel applies when use_regex is true.
    public const string Gpt2Pattern = @"'s|'t|'re|'ve|'m|'ll|'d| ?\p{L}+| ?\p{N}+| ?[^\s\p{L}\p{N}]+|\s+(?!\S)|\s+";

    private readonly Regex _regex;
    private readonly bool _removeMatches;

    public RegexSplitStage(Regex regex, bool removeMatches)
    {
        _regex = regex;
        _removeMatches = removeMatches;
    }

    public static RegexSplitStage Create(string pattern, bool removeMatches) =>
        new(new Regex(pattern, RegexOptions.Compiled | RegexOptions.CultureInvariant), removeMatches);

    public override void Split(string text, int start, int length, List<(int Start, int Length)> pieces)
    {
        int end = start + length;
        int position = start;
        Match match = _regex.Match(text, start, length);
        while (match.Success)
        {
            if (match.Length == 0)
            {
                match = match.NextMatch();
                continue;
            }

            if (match.Index > position)
            {
                pieces.Add((position, match.Index - position));
            }

            if (!_removeMatches)
            {
                pieces.Add((match.Index, match.Length));
            }

            position = match.Index + match.Length;
            match = match.NextMatch();
        }

        if (end > position)
        {
            pieces.Add((position, end - position));
        }
    }
}
