namespace Thaw.Inference.Jobs;

/// <summary>The commit marker of a chunk on local disk: written last, so its presence means the chunk is whole.</summary>
internal sealed record StoredChunk(int Index, int Completed, int Failed);
