using Microsoft.Azure.Functions.Worker;
using Thaw.Inference.Models;

namespace Thaw.Functions;

/// <summary>
/// Every minute: load the models whose keep-alive policy predicts a request soon. On a scaled-to-zero app the platform
/// starts an instance to run the timer, so the model is warm when the predicted request arrives.
/// </summary>
public sealed class PrewarmFunction(ModelHost models)
{
    [Function("Prewarm")]
    public Task RunAsync([TimerTrigger("0 */1 * * * *")] TimerInfo timer, CancellationToken cancellationToken) =>
        models.PrewarmDueAsync(cancellationToken);
}
