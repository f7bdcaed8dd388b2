namespace Thaw.Inference.Jobs;

/// <summary>OpenAI's <c>request_counts</c>: lines in the input, lines answered, lines that went to the error file.</summary>
public sealed record BatchRequestCounts(int Total, int Completed, int Failed)
{
    public static BatchRequestCounts None { get; } = new(0, 0, 0);
}
