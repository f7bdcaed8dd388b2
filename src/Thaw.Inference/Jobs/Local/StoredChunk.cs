using System.Text.Json.Serialization;

namespace Thaw.Inference.Jobs.Local;

/// <summary>
/// The commit marker of a chunk on local disk, written last, so its presence means the chunk is whole. Its data files
/// carry the <see cref="Attempt"/> in their names: a marker names only files its own run wrote, even when two runs
/// of one batch race on the same chunk.
/// </summary>
internal sealed record StoredChunk(int FirstLine, int Lines, int Completed, int Failed, string Attempt)
{
    [JsonIgnore]
    public BatchChunk Chunk => new(FirstLine, Lines, Completed, Failed);
}
