using Microsoft.ML.OnnxRuntime;

namespace Thaw.Inference.Onnx;

/// <summary>
/// One ONNX Runtime call that a token can stop mid-pass: cancelling sets <see cref="RunOptions.Terminate"/>, and a
/// call stopped that way surfaces as <see cref="OperationCanceledException"/>, never as a runtime error.
/// </summary>
internal static class CancellableRun
{
    /// <param name="run">The call, given the run options to pass to the session.</param>
    /// <param name="what">What runs, for the exception's message (e.g. <c>forward pass</c>).</param>
    /// <param name="cancellationToken">Stops the call, even mid-pass.</param>
    public static T Invoke<T>(Func<RunOptions, T> run, string what, CancellationToken cancellationToken)
    {
        using var runOptions = new RunOptions();
        using CancellationTokenRegistration registration = cancellationToken.Register(static o => ((RunOptions)o!).Terminate = true, runOptions);
        try
        {
            return run(runOptions);
        }
        catch (OnnxRuntimeException e) when (cancellationToken.IsCancellationRequested)
        {
            throw new OperationCanceledException($"The {what} was cancelled.", e, cancellationToken);
        }
    }
}
