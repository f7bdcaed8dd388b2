namespace Thaw.Http.Contracts;

/// <summary>The body of <c>POST /v1/batches</c> (OpenAI-compatible).</summary>
public sealed class CreateBatchRequest
{
    public string? InputFileId { get; set; }

    public string? Endpoint { get; set; }

    public string? CompletionWindow { get; set; }

    public Dictionary<string, string>? Metadata { get; set; }
}
