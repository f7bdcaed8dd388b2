namespace Thaw.Inference.Jobs;

/// <summary>The batch cannot succeed whatever the retries (its input file is gone, its endpoint unknown): it fails at once.</summary>
public sealed class BatchFailedException(string code, string message) : Exception(message)
{
    /// <summary>The code of a job whose batch does not exist (any more).</summary>
    public const string NotFound = "batch_not_found";

    public string Code { get; } = code;
}
