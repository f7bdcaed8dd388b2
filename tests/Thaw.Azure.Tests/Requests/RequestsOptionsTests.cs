using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace Thaw.Azure.Tests.Requests;

/// <summary>
/// <c>Thaw:Requests</c> checked when the host starts, composed by <c>AddThawAzure</c> as every host composes it: a
/// reply destination that is one of Thaw's own containers or queues (whatever the other sections name them), the
/// Functions host's, or no valid name, stops the host with a message naming the key and the section that owns it.
/// </summary>
public sealed class RequestsOptionsTests
{
    [Theory]
    [InlineData("ReplyContainers", "thaw-snapshots", "is Thaw's own container (Thaw:Storage:SnapshotContainer)")]
    [InlineData("ReplyContainers", "thaw-keepalive", "is Thaw's own container (Thaw:Storage:KeepAliveContainer)")]
    [InlineData("ReplyContainers", "my-files", "is Thaw's own container (Thaw:Files:Container)")]
    [InlineData("ReplyContainers", "azure-webjobs-secrets", "belongs to the Functions host")]
    [InlineData("ReplyContainers", "azure-webjobs-hosts", "belongs to the Functions host")]
    [InlineData("ReplyContainers", "$root", "is not a container name")]
    [InlineData("ReplyContainers", "Replies", "is not a container name")]
    [InlineData("ReplyQueues", "my-jobs", "is Thaw's own queue (Thaw:Jobs:Queue)")]
    [InlineData("ReplyQueues", "my-jobs-poison", "is Thaw's own queue (Thaw:Jobs:Queue + -poison)")]
    [InlineData("ReplyQueues", "thaw-requests", "is Thaw's own queue (Thaw:Jobs:RequestQueue)")]
    [InlineData("ReplyQueues", "thaw-requests-poison", "is Thaw's own queue (Thaw:Jobs:RequestQueue + -poison)")]
    [InlineData("ReplyQueues", "azure-webjobs-blobtrigger-x", "belongs to the Functions host")]
    [InlineData("ReplyQueues", "a--b", "is not a queue name")]
    public void Start_ReplyDestinationThatIsNotTheRequesters_IsRefusedNamingTheKey(string list, string name, string reason)
    {
        string key = $"Thaw:Requests:{list}";

        var refused = Assert.Throws<OptionsValidationException>(() => Validate(("Thaw:Requests:ReplyContainers:0", "replies"), ($"{key}:1", name)));

        Assert.Contains($"{key}: '{name}' {reason}", Assert.Single(refused.Failures), StringComparison.Ordinal);
    }

    [Fact]
    public void Start_RequestersOwnDestinations_AreAccepted() =>
        Validate(("Thaw:Requests:ReplyContainers:0", "replies"), ("Thaw:Requests:ReplyContainers:1", "team-a-answers"), ("Thaw:Requests:ReplyQueues:0", "replies"));

    private static void Validate(params (string Key, string Value)[] settings)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        builder.Configuration.AddInMemoryCollection(new Dictionary<string, string?>
        {
            // Nothing connects while options are checked.
            ["Thaw:Storage:ConnectionString"] = "UseDevelopmentStorage=true",
            ["Thaw:Files:Container"] = "my-files",
            ["Thaw:Jobs:Queue"] = "my-jobs",
        });
        builder.Configuration.AddInMemoryCollection(settings.Select(s => KeyValuePair.Create(s.Key, (string?)s.Value)));
        builder.AddThawAzure();
        using ServiceProvider provider = builder.Services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
    }
}
