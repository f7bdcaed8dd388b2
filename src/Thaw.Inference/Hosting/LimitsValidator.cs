using Microsoft.Extensions.Options;

namespace Thaw.Inference.Hosting;

/// <summary>
/// Limits that depend on each other: a request that passes <c>Thaw:Limits:MaxInputs</c> must fit in each batcher's
/// queue, or it is refused as overloaded (429) on every try, however idle the model.
/// </summary>
internal sealed class LimitsValidator : IValidateOptions<ThawOptions>
{
    public ValidateOptionsResult Validate(string? name, ThawOptions options)
    {
        int maxInputs = options.Limits.MaxInputs;
        string[] failures = new[]
            {
                ("Thaw:Batching:MaxQueuedInputs", options.Batching.MaxQueuedInputs),
                ("Thaw:Batching:Bulk:MaxQueuedInputs", options.Batching.Bulk.MaxQueuedInputs),
            }
            .Where(queue => maxInputs > queue.Item2)
            .Select(queue =>
                $"Thaw:Limits:MaxInputs ({maxInputs}) exceeds {queue.Item1} ({queue.Item2}): a request with that many inputs could never be queued. " +
                $"Raise {queue.Item1} or lower Thaw:Limits:MaxInputs.")
            .ToArray();
        return failures.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
