namespace Thaw.Inference.Jobs;

/// <summary>
/// One page of <c>GET /v1/files</c>: at most <see cref="Limit"/> files of <see cref="Owner"/> and <see cref="Purpose"/>
/// (any when null), by <c>created_at</c> (newest first unless <see cref="Ascending"/>), starting after the file
/// <see cref="After"/>.
/// </summary>
public sealed record FileQuery(int Limit, string? After = null, string? Purpose = null, bool Ascending = false, string Owner = OwnerNames.Default);
