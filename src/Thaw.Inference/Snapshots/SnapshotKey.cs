using System.Security.Cryptography;
using System.Text;

namespace Thaw.Inference.Snapshots;

/// <summary>
/// Everything that changes what a prepared (optimized) model is: a snapshot is used only where every field is equal,
/// so one built by another runtime version, provider, device or precision is never loaded.
/// </summary>
/// <param name="ModelId">The catalog id.</param>
/// <param name="SourceSha256">SHA-256 of the source weights it was prepared from.</param>
/// <param name="Runtime">The inference runtime and its version, e.g. <c>onnxruntime 1.31.1</c>.</param>
/// <param name="ExecutionProvider"><c>cpu</c> or <c>cuda</c>.</param>
/// <param name="Device">What the optimized graph may be specific to: CPU architecture and vector extensions, or GPU compute capability.</param>
/// <param name="Optimization">The graph optimization level it was saved at.</param>
/// <param name="Precision">Weight precision, e.g. <c>fp32</c>.</param>
public sealed record SnapshotKey(
    string ModelId,
    string SourceSha256,
    string Runtime,
    string ExecutionProvider,
    string Device,
    string Optimization,
    string Precision)
{
    /// <summary>A short stable name of the key (hex of a SHA-256 over all fields), used in paths and blob names.</summary>
    public string Id => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(
        string.Join('\n', ModelId, SourceSha256, Runtime, ExecutionProvider, Device, Optimization, Precision))))[..24];

    /// <summary>For people: what the snapshot was prepared for.</summary>
    public string Describe() => $"{Runtime}, {ExecutionProvider} on {Device}, optimization {Optimization}, {Precision}";
}
