namespace Thaw.Inference.Jobs;

/// <summary>One page of batches, newest first, and whether older ones follow.</summary>
public sealed record BatchPage(IReadOnlyList<BatchRecord> Batches, bool HasMore)
{
    /// <summary>
    /// The page after <paramref name="after"/> (an id) of <paramref name="newestFirst"/>, reading only the page's records;
    /// a record that <paramref name="read"/> cannot give (gone, unreadable) is skipped. A cursor that is not among the ids
    /// gives an empty page, as OpenAI's does.
    /// </summary>
    public static async Task<BatchPage> ReadAsync(
        List<string> newestFirst, string? after, int limit, Func<string, CancellationToken, Task<BatchRecord?>> read, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(newestFirst);
        ArgumentNullException.ThrowIfNull(read);
        int start = after is null ? 0 : newestFirst.IndexOf(after) + 1;
        if (after is not null && start == 0)
        {
            return new BatchPage([], false);
        }

        var page = new List<BatchRecord>();
        int next = start;
        for (; next < newestFirst.Count && page.Count < limit; next++)
        {
            if (await read(newestFirst[next], cancellationToken).ConfigureAwait(false) is { } batch)
            {
                page.Add(batch);
            }
        }

        return new BatchPage(page, next < newestFirst.Count);
    }
}
