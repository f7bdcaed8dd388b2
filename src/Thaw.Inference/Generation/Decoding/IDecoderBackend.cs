using Thaw.Inference.Catalog;

namespace Thaw.Inference.Generation.Decoding;

/// <summary>Creates decoder sessions with their KV cache from model files (ONNX Runtime in production).</summary>
public interface IDecoderBackend
{
    /// <summary>
    /// Creates the session of <paramref name="model"/> from its graph at <paramref name="modelPath"/> (external weights
    /// beside it), with <c>generation.slots</c> slots of <c>generation.contextLength</c> tokens.
    /// </summary>
    /// <exception cref="InvalidOperationException">The file is not a decoder this backend runs, or it differs from what the manifest declares; the message says which.</exception>
    Task<IDecoderSession> CreateSessionAsync(ModelManifest model, string modelPath, CancellationToken cancellationToken = default);
}
