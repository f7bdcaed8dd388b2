namespace Thaw.Inference.Jobs;

/// <summary>The <c>purpose</c> values Thaw stores.</summary>
public static class FilePurposes
{
    public const string Batch = "batch";
    public const string BatchOutput = "batch_output";

    public static bool IsKnown(string purpose) => purpose is Batch or BatchOutput;
}
