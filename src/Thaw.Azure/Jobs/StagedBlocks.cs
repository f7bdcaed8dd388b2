using System.Globalization;
using System.Text;
using Azure.Storage.Blobs.Specialized;

namespace Thaw.Azure.Jobs;

/// <summary>
/// One chunk's part of a block blob, streamed: bytes gather in a buffer of <see cref="PartBytes"/> and each full
/// buffer is staged as the next block. Block ids name the chunk (its first line), the attempt and the part
/// (<see cref="BlockId"/>), so a run's blocks never mix with another run's; they join the blob only when a commit lists them.
/// </summary>
internal sealed class StagedBlocks(BlockBlobClient blob, int chunk, string attempt)
{
    /// <summary>Bytes per block: with the service's 50,000 committed blocks, a file of up to 195 GiB.</summary>
    public const int PartBytes = 4 << 20;

    private byte[]? _buffer;
    private int _filled;

    /// <summary>Blocks staged so far.</summary>
    public int Blocks { get; private set; }

    public async Task WriteAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
    {
        while (!bytes.IsEmpty)
        {
            _buffer ??= new byte[PartBytes];
            int take = Math.Min(bytes.Length, PartBytes - _filled);
            bytes[..take].CopyTo(_buffer.AsMemory(_filled));
            (_filled, bytes) = (_filled + take, bytes[take..]);
            if (_filled == PartBytes)
            {
                await StageAsync(cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Stages what is left in the buffer; then <see cref="Blocks"/> is final.</summary>
    public Task FlushAsync(CancellationToken cancellationToken) => _filled > 0 ? StageAsync(cancellationToken) : Task.CompletedTask;

    // Block ids of one blob must all have the same length: every part is zero-padded (8 digits of first line: a
    // 200 MB file has far fewer lines).
    public static string BlockId(int chunk, string attempt, int part) =>
        Convert.ToBase64String(Encoding.ASCII.GetBytes(string.Create(CultureInfo.InvariantCulture, $"{chunk:D8}-{attempt}-{part:D6}")));

    private async Task StageAsync(CancellationToken cancellationToken)
    {
        using var part = new MemoryStream(_buffer!, 0, _filled, writable: false);
        await blob.StageBlockAsync(BlockId(chunk, attempt, Blocks), part, cancellationToken: cancellationToken).ConfigureAwait(false);
        Blocks++;
        _filled = 0;
    }
}
