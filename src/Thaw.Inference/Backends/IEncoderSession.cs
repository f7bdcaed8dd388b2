namespace Thaw.Inference.Backends;

/// <summary>A loaded encoder model: created once per model, shared by all requests, safe to run concurrently.</summary>
public interface IEncoderSession : IDisposable
{
    /// <summary>Where it runs, for status and logs: <c>CPU</c>, <c>CUDA</c>.</summary>
    string ExecutionProvider { get; }

    /// <summary>Runs one forward pass. Cancellation stops a pass in flight.</summary>
    /// <exception cref="OperationCanceledException">The token was cancelled before or during the pass.</exception>
    IEncoderOutput Run(EncoderBatch batch, CancellationToken cancellationToken = default);
}
