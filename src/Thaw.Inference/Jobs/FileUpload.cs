namespace Thaw.Inference.Jobs;

/// <summary>What to store: a name, a purpose, a size limit, and the id (new when null; an existing one is overwritten).</summary>
public sealed record FileUpload(string Filename, string Purpose, long MaxBytes, string? Id = null);
