namespace Thaw.Inference.Sources;

internal static class StreamCopy
{
    /// <summary>Copies in 1 MiB blocks, reporting the running byte count after each block.</summary>
    public static async Task CopyAsync(Stream input, Stream output, IProgress<long>? progress, CancellationToken cancellationToken)
    {
        byte[] buffer = new byte[1 << 20];
        long copied = 0;
        int read;
        while ((read = await input.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            await output.WriteAsync(buffer.AsMemory(0, read), cancellationToken).ConfigureAwait(false);
            copied += read;
            progress?.Report(copied);
        }
    }
}
