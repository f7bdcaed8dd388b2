using Thaw.Inference.Catalog;
using Thaw.Inference.Snapshots;

namespace Thaw.Inference.Backends;

/// <summary>Creates encoder sessions from model files (ONNX Runtime in production).</summary>
public interface IEncoderBackend
{
    /// <summary>
    /// The key of the snapshot this backend would prepare for the model on this machine, or null when it cannot
    /// prepare one here (then every load starts from the source weights).
    /// </summary>
    SnapshotKey? GetSnapshotKey(ModelManifest model);

    /// <summary>Creates a session; from source weights it may also write the prepared model (see <see cref="SessionSource"/>).</summary>
    /// <returns>The session, and the prepared model's file name in the snapshot directory when it wrote one.</returns>
    Task<CreatedSession> CreateSessionAsync(ModelManifest model, SessionSource source, CancellationToken cancellationToken = default);
}
