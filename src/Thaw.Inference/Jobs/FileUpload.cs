namespace Thaw.Inference.Jobs;

/// <summary>
/// What to store: a name, a purpose, a size limit, the id (new when null; an existing one is overwritten), how long
/// after its creation the file expires (null: kept until deleted) and whose it is.
/// </summary>
public sealed record FileUpload(
    string Filename, string Purpose, long MaxBytes, string? Id = null, TimeSpan? ExpiresAfter = null, string Owner = OwnerNames.Default);
