using System.Security.Cryptography;
using System.Text;

namespace Thaw.Inference.Telemetry;

/// <summary>
/// Request ids as OpenAI writes them (<c>req_</c> and 32 hex digits): the <c>x-request-id</c> of every HTTP answer and
/// the <c>request_id</c> of every batch output line, so one kind of id leads from a client's report to the log.
/// </summary>
public static class RequestIds
{
    /// <summary>The longest incoming <c>x-request-id</c> that is kept (proxies send UUIDs, 36 characters).</summary>
    public const int MaxLength = 128;

    public static string New() => "req_" + Guid.NewGuid().ToString("N");

    /// <summary>The id of a batch line's request: derived from the batch and the line, so a redone chunk reproduces it.</summary>
    public static string ForBatchLine(string batchId, int index)
    {
        Span<byte> hash = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(Encoding.UTF8.GetBytes($"{batchId}\n{index}"), hash);
        return "req_" + Convert.ToHexStringLower(hash[..16]);
    }

    /// <summary>
    /// Whether an incoming id may be echoed and logged: 1 to <see cref="MaxLength"/> ASCII letters, digits, '-', '_',
    /// '.' or ':' (nothing that could forge a log line or a header).
    /// </summary>
    public static bool IsWellFormed(string? id) =>
        id is { Length: > 0 and <= MaxLength } && id.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.' or ':');
}
