namespace Thaw.Inference.Sources;

/// <summary>How far one file's transfer into the cache (or out to the snapshot store) has come.</summary>
public readonly record struct TransferProgress(string ModelId, string FileName, long BytesDone, long BytesTotal);
