using System.Reflection;
using Microsoft.Azure.Functions.Worker;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Jobs;

namespace Thaw.Functions;

/// <summary>
/// Refuses at start a <c>Thaw:Jobs:Queue</c> or <c>Thaw:Jobs:RequestQueue</c> other than the queue its trigger
/// listens on (<see cref="QueueFunctions"/>; a trigger's queue is fixed when the app is built): the app would enqueue
/// batches that no trigger ever runs. Part of start-up validation, with the key in the message as everywhere else.
/// </summary>
internal sealed class TriggerQueueNames : IValidateOptions<JobsOptions>
{
    private static readonly string BatchJobs = QueueOf(nameof(QueueFunctions.BatchJobsAsync));
    private static readonly string QueuedRequests = QueueOf(nameof(QueueFunctions.QueuedRequestsAsync));

    public static void AddTo(IServiceCollection services) =>
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<JobsOptions>, TriggerQueueNames>());

    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        string[] problems =
        [
            .. Check("Queue", options.Queue, BatchJobs, "BatchJobs"),
            .. Check("RequestQueue", options.RequestQueue, QueuedRequests, "QueuedRequests"),
        ];
        return problems.Length == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static IEnumerable<string> Check(string property, string value, string trigger, string function)
    {
        if (!string.Equals(value, trigger, StringComparison.Ordinal))
        {
            yield return $"{JobsOptions.SectionName}:{property} is '{value}'; allowed: '{trigger}' (the queue of the Functions app's {function} trigger, fixed when the app is built).";
        }
    }

    private static string QueueOf(string method) =>
        typeof(QueueFunctions).GetMethod(method)!.GetParameters()
            .Select(p => p.GetCustomAttribute<QueueTriggerAttribute>()).Single(a => a is not null)!.QueueName;
}
