namespace Thaw.Inference.Jobs;

/// <summary>An upload grew past its limit; nothing of it was kept.</summary>
public sealed class FileTooLargeException(long maxBytes)
    : Exception($"The file is larger than {maxBytes} bytes (Thaw:Jobs:MaxFileBytes).")
{
    public long MaxBytes { get; } = maxBytes;
}
