using System.Text.Json;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Options;
using Thaw.Inference.Jobs;

namespace Thaw.Functions;

/// <summary>
/// In the Functions app the host, not Thaw, decides how many queue messages an instance runs at once: host.json's
/// <c>extensions.queues.batchSize + newBatchThreshold</c>, for every queue trigger (<c>BatchJobs</c> and
/// <c>QueuedRequests</c> alike). <c>Thaw:Jobs:MaxConcurrentJobs</c> and <c>Thaw:Jobs:MaxConcurrentRequests</c> size
/// only the standalone host's listeners, so one set in the Functions app to another number would promise what does not
/// happen (issue 11, item 16): the app refuses to start, naming the key and host.json's number. Unset, they are left
/// alone (their standalone defaults mean nothing here).
/// </summary>
internal sealed class HostJsonQueueConcurrency(IConfiguration configuration, string hostJsonPath) : IValidateOptions<JobsOptions>
{
    // The Functions host's own defaults when host.json says nothing: batchSize 16, newBatchThreshold batchSize / 2.
    private const int DefaultBatchSize = 16;

    /// <summary>Queue messages one instance runs at once per queue function, as the host reads host.json.</summary>
    public int PerFunction { get; } = Read(hostJsonPath);

    public ValidateOptionsResult Validate(string? name, JobsOptions options)
    {
        var problems = new List<string>();
        foreach ((string setting, int value) in new[] { (nameof(JobsOptions.MaxConcurrentJobs), options.MaxConcurrentJobs), (nameof(JobsOptions.MaxConcurrentRequests), options.MaxConcurrentRequests) })
        {
            string key = $"{JobsOptions.SectionName}:{setting}";
            if (configuration[key] is not null && value != PerFunction)
            {
                problems.Add($"{key} is {value}, but in the Functions app host.json decides: extensions.queues.batchSize + newBatchThreshold = {PerFunction} " +
                    "message(s) at once per queue function and instance. Remove the setting, or change host.json and set it to the same number.");
            }
        }

        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }

    private static int Read(string path)
    {
        if (!File.Exists(path))
        {
            return DefaultBatchSize + (DefaultBatchSize / 2);
        }

        using JsonDocument host = JsonDocument.Parse(File.ReadAllText(path));
        JsonElement queues = host.RootElement.TryGetProperty("extensions", out JsonElement extensions) && extensions.TryGetProperty("queues", out JsonElement q)
            ? q
            : default;
        int batchSize = Number(queues, "batchSize") ?? DefaultBatchSize;
        return batchSize + (Number(queues, "newBatchThreshold") ?? batchSize / 2);
    }

    private static int? Number(JsonElement queues, string name) =>
        queues.ValueKind == JsonValueKind.Object && queues.TryGetProperty(name, out JsonElement value) ? value.GetInt32() : null;
}
