namespace Thaw.Inference.Jobs;

/// <summary>
/// The results of one fixed-size run of input lines (chunk <see cref="Index"/> holds lines
/// <c>Index * ChunkLines</c> onwards): JSONL bytes for the output and error files and how many lines went to each.
/// </summary>
public sealed record BatchChunk(int Index, ReadOnlyMemory<byte> Output, ReadOnlyMemory<byte> Errors, int Completed, int Failed);
