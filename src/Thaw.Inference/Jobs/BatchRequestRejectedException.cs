namespace Thaw.Inference.Jobs;

/// <summary>The endpoint refused a line's request: the status and error body its HTTP route would have answered with.</summary>
public sealed class BatchRequestRejectedException(int statusCode, string message, ReadOnlyMemory<byte> body) : Exception(message)
{
    public int StatusCode { get; } = statusCode;

    /// <summary>The OpenAI error envelope, as JSON.</summary>
    public ReadOnlyMemory<byte> Body { get; } = body;
}
