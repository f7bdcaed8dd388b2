using Microsoft.Extensions.Options;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Batching;

/// <summary>
/// The one rule across sections: a request that passes <c>Thaw:Limits:MaxInputs</c> must fit in each batcher's queue
/// (<c>Thaw:Batching:MaxQueuedInputs</c> and its <c>Bulk</c> profile), or it is refused as overloaded (429) on every
/// try, however idle the model.
/// </summary>
/// <remarks>
/// Each section binds and validates on its own (<see cref="ThawOptionsServiceCollectionExtensions.AddThawOptions{TOptions}"/>),
/// so a rule that needs two sections cannot be a DataAnnotation on either. It is a second validator of
/// <see cref="LimitsOptions"/> that reads the batching section: <c>ValidateOnStart</c> of the limits runs every
/// validator of that type, so a host still refuses to start, with the same message as when both lived in one type.
/// </remarks>
internal sealed class LimitsFitQueuesValidation(IOptions<BatchingOptions> batching) : IValidateOptions<LimitsOptions>
{
    public ValidateOptionsResult Validate(string? name, LimitsOptions options)
    {
        BatchingOptions queues = batching.Value;
        var problems = new List<string>();
        foreach ((string key, int queue) in new[]
        {
            ("Thaw:Batching:MaxQueuedInputs", queues.MaxQueuedInputs),
            ("Thaw:Batching:Bulk:MaxQueuedInputs", queues.Bulk.MaxQueuedInputs),
        })
        {
            if (options.MaxInputs > queue)
            {
                problems.Add(
                    $"Thaw:Limits:MaxInputs ({options.MaxInputs}) exceeds {key} ({queue}): a request with that many inputs could never be queued. " +
                    $"Raise {key} or lower Thaw:Limits:MaxInputs.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
