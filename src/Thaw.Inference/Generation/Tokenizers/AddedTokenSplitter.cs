namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// Finds added tokens in text, leftmost first and longest first at one position, as Hugging Face's tokenizers do,
/// and yields the text between them as plain segments.
/// </summary>
internal sealed class AddedTokenSplitter
{
    private readonly Dictionary<char, AddedToken[]> _byFirstChar;

    public AddedTokenSplitter(IEnumerable<AddedToken> tokens)
    {
        var groups = new Dictionary<char, List<AddedToken>>();
        foreach (AddedToken token in tokens)
        {
            if (token.Content.Length == 0)
            {
                continue;
            }

            if (!groups.TryGetValue(token.Content[0], out List<AddedToken>? group))
            {
                group = [];
                groups.Add(token.Content[0], group);
            }

            group.Add(token);
        }

        _byFirstChar = new Dictionary<char, AddedToken[]>(groups.Count);
        foreach ((char first, List<AddedToken> group) in groups)
        {
            group.Sort((a, b) => b.Content.Length.CompareTo(a.Content.Length));
            _byFirstChar.Add(first, [.. group]);
        }
    }

    /// <summary>
    /// Splits <paramref name="text"/> into segments: an added token (<c>Token</c> set) or plain text to pre-tokenize.
    /// </summary>
    public void Split(string text, List<(int Start, int Length, AddedToken? Token)> segments)
    {
        int plainStart = 0;
        int i = 0;
        while (i < text.Length)
        {
            AddedToken? match = MatchAt(text, i);
            if (match is null)
            {
                i++;
                continue;
            }

            int tokenStart = i;
            int tokenEnd = i + match.Content.Length;
            if (match.LeftStrip)
            {
                while (tokenStart > plainStart && char.IsWhiteSpace(text[tokenStart - 1]))
                {
                    tokenStart--;
                }
            }

            if (match.RightStrip)
            {
                while (tokenEnd < text.Length && char.IsWhiteSpace(text[tokenEnd]))
                {
                    tokenEnd++;
                }
            }

            if (tokenStart > plainStart)
            {
                segments.Add((plainStart, tokenStart - plainStart, null));
            }

            segments.Add((tokenStart, tokenEnd - tokenStart, match));
            plainStart = tokenEnd;
            i = tokenEnd;
        }

        if (text.Length > plainStart)
        {
            segments.Add((plainStart, text.Length - plainStart, null));
        }
    }

    private AddedToken? MatchAt(string text, int index)
    {
        if (!_byFirstChar.TryGetValue(text[index], out AddedToken[]? candidates))
        {
            return null;
        }

        foreach (AddedToken candidate in candidates)
        {
            if (text.AsSpan(index).StartsWith(candidate.Content, StringComparison.Ordinal))
            {
                return candidate;
            }
        }

        return null;
    }
}
