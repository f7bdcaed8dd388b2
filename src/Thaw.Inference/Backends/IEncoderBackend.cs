using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;

namespace Thaw.Inference.Backends;

/// <summary>Creates encoder sessions from model files (ONNX Runtime in production).</summary>
public interface IEncoderBackend
{
    Task<IEncoderSession> CreateSessionAsync(ModelManifest model, ModelFiles files, CancellationToken cancellationToken = default);
}
