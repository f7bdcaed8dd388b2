namespace Thaw.Inference.Sources;

/// <summary>Turns one file's byte count into a <see cref="TransferProgress"/>.</summary>
internal sealed class FileProgress(IProgress<TransferProgress> target, string modelId, string fileName, long size) : IProgress<long>
{
    public void Report(long value) => target.Report(new TransferProgress(modelId, fileName, value, size));
}
