namespace Thaw.Http.Contracts;

/// <summary><c>stream_options</c>: <c>include_usage</c> adds a last chunk with the usage and no choices.</summary>
public sealed class StreamOptions
{
    public bool? IncludeUsage { get; set; }
}
