using System.ComponentModel.DataAnnotations;
using Thaw.Inference.Settings;

namespace Thaw.Azure.Jobs;

/// <summary>
/// <c>Thaw:ServiceBus</c>: job messages on a Service Bus queue instead of the Storage queue. infra/ sets
/// <see cref="FullyQualifiedNamespace"/> and <see cref="Queue"/> when it deploys the Service Bus worker.
/// </summary>
public sealed class ServiceBusOptions
{
    public const string SectionName = "Thaw:ServiceBus";

    /// <summary>
    /// In Azure: the namespace host (<c>&lt;namespace&gt;.servicebus.windows.net</c>), reached with the app's managed identity
    /// (DefaultAzureCredential), which needs Data Sender and Data Receiver on the queue. No key in configuration.
    /// </summary>
    public string? FullyQualifiedNamespace { get; set; }

    /// <summary>With <see cref="FullyQualifiedNamespace"/>: the client id of a user-assigned managed identity (absent: system-assigned).</summary>
    public string? ManagedIdentityClientId { get; set; }

    /// <summary>Instead of a namespace, for local development and tests: a Service Bus connection string.</summary>
    public string? ConnectionString { get; set; }

    /// <summary>The queue of job messages; its dead-letter sub-queue takes the messages given up on.</summary>
    [Required]
    public string Queue { get; set; } = "thaw-jobs";

    /// <summary>How long one receive call waits on an empty queue before it asks again (the wait is on the service side).</summary>
    [TimeSpanRange("00:00:01", "00:10:00")]
    public TimeSpan MaxReceiveWait { get; set; } = TimeSpan.FromSeconds(30);

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || !string.IsNullOrWhiteSpace(FullyQualifiedNamespace);
}
