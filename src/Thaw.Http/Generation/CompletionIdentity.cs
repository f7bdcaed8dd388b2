namespace Thaw.Http.Generation;

/// <summary>What every object of one answer repeats: its id (<c>chatcmpl-…</c>, <c>cmpl-…</c>), creation time (Unix seconds) and model.</summary>
internal sealed record CompletionIdentity(string Id, long Created, string Model);
