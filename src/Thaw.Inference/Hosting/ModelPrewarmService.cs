using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Thaw.Inference.Models;

namespace Thaw.Inference.Hosting;

/// <summary>Starts loading the pre-warm models once the host runs; never delays host start.</summary>
internal sealed class ModelPrewarmService(ModelHost models, InstanceTimeline timeline, IOptions<ThawOptions> options) : IHostedLifecycleService
{
    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken)
    {
        timeline.MarkHostReady();
        foreach (string modelId in options.Value.Models.ResolvePrewarm())
        {
            // Fire and forget: ModelHost records the outcome (state, error, timings) and logs it.
            _ = models.LoadAsync(modelId).ContinueWith(static t => _ = t.Exception, TaskScheduler.Default);
        }

        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
