using Thaw.Inference.Jobs;

namespace Thaw.Testing;

/// <summary>Writes a whole chunk in one call, as a run that got that far would have left it.</summary>
internal static class ChunkWrites
{
    public static async Task WriteChunkAsync(this IBatchOutput output, string batchId, BatchChunk chunk, ReadOnlyMemory<byte> lines, ReadOnlyMemory<byte> errors)
    {
        await using IBatchChunkWriter writer = await output.BeginChunkAsync(batchId, chunk.FirstLine);
        await writer.WriteOutputAsync(lines);
        await writer.WriteErrorsAsync(errors);
        await writer.CompleteAsync(chunk);
    }
}
