using System.Globalization;
using System.Text.Json.Nodes;
using Thaw.Azure.Jobs;
using Thaw.Azure.Storage;
using Thaw.Inference.Jobs;

namespace Thaw.Infra.Tests;

/// <summary>
/// Assertions over what each parameters file would deploy (bicep snapshot): scale to zero, the GPU profile, one
/// user-assigned identity with resource-scoped roles, no secrets in settings, hardened storage, and settings that
/// name the queues and containers the deployment creates and the app expects.
/// </summary>
public sealed class DeploymentTests
{
    private const string ContainerApps = "Microsoft.App/containerApps";
    private const string Sites = "Microsoft.Web/sites";
    private const string Identities = "Microsoft.ManagedIdentity/userAssignedIdentities";
    private const string StorageAccounts = "Microsoft.Storage/storageAccounts";
    private const string Queues = "Microsoft.Storage/storageAccounts/queueServices/queues";
    private const string BlobContainers = "Microsoft.Storage/storageAccounts/blobServices/containers";
    private const string RoleAssignments = "Microsoft.Authorization/roleAssignments";
    private const string ServiceBusNamespaces = "Microsoft.ServiceBus/namespaces";
    private const string ServiceBusQueues = "Microsoft.ServiceBus/namespaces/queues";

    public static TheoryData<string> ParametersFiles => InfraFiles.ParametersFiles;

    [Theory]
    [InlineData(InfraFiles.GpuT4Parameters, "Consumption-GPU-NC8as-T4")]
    [InlineData(InfraFiles.GpuA100JobsParameters, "Consumption-GPU-NC24-A100")]
    public async Task FunctionsApp_GpuParameters_RunsOnTheGpuProfileWithMinReplicasZero(string parametersFile, string profileType)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);

        JsonObject environment = deployment.Single("Microsoft.App/managedEnvironments");
        JsonObject gpuProfile = Assert.Single(((JsonArray)environment["properties"]!["workloadProfiles"]!).Select(p => p!.AsObject()),
            p => ((string)p["workloadProfileType"]!).StartsWith("Consumption-GPU", StringComparison.Ordinal));
        Assert.Equal(profileType, (string)gpuProfile["workloadProfileType"]!);

        JsonObject functions = FunctionsApp(deployment);
        Assert.Equal("functionapp", (string?)functions["kind"]);
        Assert.Equal((string)gpuProfile["name"]!, (string)functions["properties"]!["workloadProfileName"]!);
        Assert.Equal(PredictedDeployment.Id(environment), (string)functions["properties"]!["environmentId"]!);
        Assert.Equal(0, (int)functions["properties"]!["template"]!["scale"]!["minReplicas"]!);
        Assert.True((bool)functions["properties"]!["configuration"]!["ingress"]!["external"]!);
        Assert.False((bool)functions["properties"]!["configuration"]!["ingress"]!["allowInsecure"]!);
    }

    [Fact]
    public async Task FunctionsApp_CpuParameters_FlexConsumptionWithAlwaysReadyZero()
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(InfraFiles.CpuParameters);

        JsonObject plan = deployment.Single("Microsoft.Web/serverfarms");
        Assert.Equal("FC1", (string)plan["sku"]!["name"]!);
        JsonObject site = deployment.Single(Sites);
        Assert.True((bool)site["properties"]!["httpsOnly"]!);
        JsonObject scale = site["properties"]!["functionAppConfig"]!["scaleAndConcurrency"]!.AsObject();
        Assert.All((JsonArray)scale["alwaysReady"]!, entry => Assert.Equal(0, (int)entry!["instanceCount"]!));
        Assert.Equal("UserAssignedIdentity",
            (string)site["properties"]!["functionAppConfig"]!["deployment"]!["storage"]!["authentication"]!["type"]!);
        Assert.Empty(deployment.OfType("Microsoft.App/managedEnvironments"));
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public async Task StorageAccount_EveryVariant_HttpsOnlyTls12NoPublicBlobsNoSharedKey(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);

        JsonObject properties = deployment.Single(StorageAccounts)["properties"]!.AsObject();
        Assert.True((bool)properties["supportsHttpsTrafficOnly"]!);
        Assert.Equal("TLS1_2", (string)properties["minimumTlsVersion"]!);
        Assert.False((bool)properties["allowBlobPublicAccess"]!);
        Assert.False((bool)properties["allowSharedKeyAccess"]!);
        Assert.All(deployment.OfType(BlobContainers), c => Assert.Equal("None", (string)c["properties"]!["publicAccess"]!));
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public async Task Apps_EveryVariant_UseTheOneUserAssignedIdentity(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);
        string identityId = PredictedDeployment.Id(deployment.Single(Identities));

        JsonObject[] apps = [.. deployment.OfType(ContainerApps), .. deployment.OfType(Sites)];
        Assert.NotEmpty(apps);
        Assert.All(apps, app =>
        {
            Assert.Equal("UserAssigned", (string)app["identity"]!["type"]!);
            Assert.Equal([identityId], app["identity"]!["userAssignedIdentities"]!.AsObject().Select(p => p.Key));
        });
        Assert.All(deployment.OfType(ContainerApps).SelectMany(app => (JsonArray)app["properties"]!["configuration"]!["registries"]!),
            registry => Assert.Equal(identityId, (string)registry!["identity"]!));
    }

    [Theory]
    [InlineData(InfraFiles.GpuT4Parameters)]
    [InlineData(InfraFiles.GpuA100JobsParameters)]
    [InlineData(InfraFiles.CpuParameters)]
    public async Task RoleAssignments_EveryVariant_ExactlyTheNeededRolesOnTheirResources(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);
        string identityName = PredictedDeployment.ShortName(deployment.Single(Identities));
        bool serviceBus = deployment.OfType(ServiceBusNamespaces).Any();
        bool registry = deployment.OfType("Microsoft.ContainerRegistry/registries").Any();
        bool flex = deployment.OfType(Sites).Any();
        (string[] replyContainers, string[] replyQueues) = ExpectedNames.Replies(parametersFile);

        // Each storage role on the one container or queue it is for (issue 11, item 2).
        var expected = new List<string>
        {
            $"{RoleIds.StorageBlobDataReader} on {BlobContainers} {ExpectedNames.OriginsContainer}",
            $"{RoleIds.StorageBlobDataContributor} on {BlobContainers} {new StorageOptions().SnapshotContainer}",
            $"{RoleIds.StorageBlobDataContributor} on {BlobContainers} {new StorageOptions().KeepAliveContainer}",
            $"{RoleIds.StorageBlobDataContributor} on {BlobContainers} {new FilesOptions().Container}",
        };
        expected.AddRange(ExpectedNames.FunctionsHostContainers.Select(c => $"{RoleIds.StorageBlobDataOwner} on {BlobContainers} {c}"));
        expected.AddRange(new[] { new JobsOptions().Queue, ExpectedNames.RequestQueue }
            .SelectMany(q => new[] { q, q + ExpectedNames.PoisonSuffix })
            .Select(q => $"{RoleIds.StorageQueueDataContributor} on {Queues} {q}"));
        expected.AddRange(replyContainers.Select(c => $"{RoleIds.StorageBlobDataContributor} on {BlobContainers} {c}"));
        expected.AddRange(replyQueues.Select(q => $"{RoleIds.StorageQueueDataMessageSender} on {Queues} {q}"));
        if (flex)
        {
            expected.Add($"{RoleIds.StorageBlobDataContributor} on {BlobContainers} {ExpectedNames.FlexDeploymentContainer}");
        }

        if (registry)
        {
            expected.Add($"{RoleIds.AcrPull} on Microsoft.ContainerRegistry/registries");
        }

        if (serviceBus)
        {
            // Scoped to the job queue itself, not the namespace.
            expected.Add($"{RoleIds.ServiceBusDataReceiver} on {ServiceBusQueues}");
            expected.Add($"{RoleIds.ServiceBusDataSender} on {ServiceBusQueues}");
        }

        string[] actual = [.. deployment.OfType(RoleAssignments).Select(assignment =>
        {
            Assert.Contains($"/userAssignedIdentities/{identityName}'", (string)assignment["properties"]!["principalId"]!, StringComparison.Ordinal);
            Assert.Equal("ServicePrincipal", (string)assignment["properties"]!["principalType"]!);
            string roleId = ((string)assignment["properties"]!["roleDefinitionId"]!).Split('/')[^1];
            (string type, string name) = Scope(assignment);
            return type.StartsWith("Microsoft.Storage/", StringComparison.Ordinal) ? $"{roleId} on {type} {name}" : $"{roleId} on {type}";
        })];
        Assert.Equal(expected.Order(StringComparer.Ordinal), actual.Order(StringComparer.Ordinal));
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public async Task RoleAssignments_EveryVariant_NoStorageRoleOnTheAccount(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);

        // An account-scoped data role would let a bug or a hostile message reach every container and queue, the
        // Functions host's secrets included; only a container or a queue is a scope.
        string[] storageScopes = [.. deployment.OfType(RoleAssignments).Select(a => Scope(a).Type).Where(t => t.StartsWith("Microsoft.Storage/", StringComparison.Ordinal))];
        Assert.NotEmpty(storageScopes);
        Assert.All(storageScopes, type => Assert.Contains(type, new[] { BlobContainers, Queues }));
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public async Task ReplyDestinations_EveryVariant_AreTheParametersCreatedAndConfigured(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);
        (string[] replyContainers, string[] replyQueues) = ExpectedNames.Replies(parametersFile);
        HashSet<string> containers = [.. deployment.OfType(BlobContainers).Select(PredictedDeployment.ShortName)];
        HashSet<string> queues = [.. deployment.OfType(Queues).Select(PredictedDeployment.ShortName)];

        Assert.Superset(new HashSet<string>([.. replyContainers, .. ExpectedNames.FunctionsHostContainers]), containers);
        Assert.Superset(new HashSet<string>(replyQueues), queues);
        foreach (JsonObject app in deployment.OfType(ContainerApps).Concat(deployment.OfType(Sites)))
        {
            Dictionary<string, string> settings = PredictedDeployment.Settings(app);
            Assert.Equal(replyContainers, settings.Where(s => s.Key.StartsWith("Thaw__Requests__ReplyContainers__", StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value));
            Assert.Equal(replyQueues, settings.Where(s => s.Key.StartsWith("Thaw__Requests__ReplyQueues__", StringComparison.Ordinal)).OrderBy(s => s.Key, StringComparer.Ordinal).Select(s => s.Value));
            Assert.DoesNotContain(settings.Keys, k => k.StartsWith("Thaw__Requests__", StringComparison.Ordinal)
                && !k.StartsWith("Thaw__Requests__ReplyContainers__", StringComparison.Ordinal) && !k.StartsWith("Thaw__Requests__ReplyQueues__", StringComparison.Ordinal));
        }
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public async Task AppSettings_EveryVariant_HoldNoSecret(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);

        foreach (JsonObject app in deployment.OfType(ContainerApps).Concat(deployment.OfType(Sites)))
        {
            Assert.Null(app["properties"]!["configuration"]?["secrets"]);
            foreach ((string name, string value) in PredictedDeployment.Settings(app))
            {
                Assert.False(SecretPattern.Matches(name), $"{name} of {PredictedDeployment.ShortName(app)} looks like a secret.");
                Assert.False(SecretPattern.Matches(value), $"{name} of {PredictedDeployment.ShortName(app)} holds what looks like a secret.");
            }
        }

        Assert.All(deployment.OfType(ServiceBusNamespaces), ns => Assert.True((bool)ns["properties"]!["disableLocalAuth"]!));
    }

    [Theory]
    [MemberData(nameof(ParametersFiles))]
    public async Task AppSettings_EveryVariant_NameTheQueuesAndContainersTheDeploymentCreates(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);
        HashSet<string> queues = [.. deployment.OfType(Queues).Select(PredictedDeployment.ShortName)];
        HashSet<string> containers = [.. deployment.OfType(BlobContainers).Select(PredictedDeployment.ShortName)];
        string storageAccount = PredictedDeployment.ShortName(deployment.Single(StorageAccounts));

        foreach (JsonObject app in deployment.OfType(ContainerApps).Concat(deployment.OfType(Sites)))
        {
            Dictionary<string, string> settings = PredictedDeployment.Settings(app);
            foreach (string queue in new[] { settings["Thaw__Jobs__Queue"], settings["Thaw__Jobs__RequestQueue"] })
            {
                Assert.Contains(queue, queues);
                Assert.Contains(queue + ExpectedNames.PoisonSuffix, queues);
            }

            Assert.Contains(settings["Thaw__Storage__SnapshotContainer"], containers);
            Assert.Contains(settings["Thaw__Storage__KeepAliveContainer"], containers);
            Assert.Contains(settings["Thaw__Files__Container"], containers);
            if (settings.TryGetValue("AzureWebJobsStorage__accountName", out string? hostStorage))
            {
                Assert.Equal(storageAccount, hostStorage);
                Assert.Equal("managedidentity", settings["AzureWebJobsStorage__credential"]);
                Assert.False(settings.ContainsKey("AzureWebJobsStorage"));
            }

            if (deployment.OfType(ServiceBusQueues).SingleOrDefault() is { } serviceBusQueue)
            {
                Assert.Equal(PredictedDeployment.ShortName(serviceBusQueue), settings["Thaw__ServiceBus__Queue"]);
                string serviceBusNamespace = PredictedDeployment.ShortName(deployment.Single(ServiceBusNamespaces));
                Assert.Equal($"{serviceBusNamespace}.servicebus.windows.net", settings["Thaw__ServiceBus__FullyQualifiedNamespace"]);
            }
            else
            {
                Assert.DoesNotContain(settings.Keys, key => key.StartsWith("Thaw__ServiceBus__", StringComparison.Ordinal));
            }
        }

        Assert.Contains(ExpectedNames.OriginsContainer, containers);
    }

    [Theory]
    [InlineData(InfraFiles.GpuT4Parameters, "Cuda")]
    [InlineData(InfraFiles.GpuA100JobsParameters, "Cuda")]
    [InlineData(InfraFiles.CpuParameters, "Cpu")]
    public async Task AppSettings_EveryVariant_MatchTheAppsDefaultsAndHardware(string parametersFile, string executionProvider)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);

        foreach (JsonObject app in deployment.OfType(ContainerApps).Concat(deployment.OfType(Sites)))
        {
            Dictionary<string, string> settings = PredictedDeployment.Settings(app);
            Assert.Equal(new StorageOptions().SnapshotContainer, settings["Thaw__Storage__SnapshotContainer"]);
            Assert.Equal(new StorageOptions().KeepAliveContainer, settings["Thaw__Storage__KeepAliveContainer"]);
            Assert.Equal(new JobsOptions().Queue, settings["Thaw__Jobs__Queue"]);
            Assert.Equal(ExpectedNames.RequestQueue, settings["Thaw__Jobs__RequestQueue"]);
            Assert.Equal(new FilesOptions().Container, settings["Thaw__Files__Container"]);
            Assert.Equal(executionProvider, settings["Thaw__Onnx__ExecutionProvider"]);
            Assert.Equal(settings["AZURE_CLIENT_ID"], settings["Thaw__Storage__ManagedIdentityClientId"]);
            Assert.False(string.IsNullOrWhiteSpace(settings["Thaw__Models__Prewarm__0"]));
            Assert.False(settings.ContainsKey("Thaw__Storage__ConnectionString"));
        }
    }

    [Fact]
    public async Task Worker_ServiceBusEnabled_ScalesFromZeroOnTheJobQueueWithTheIdentity()
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(InfraFiles.GpuA100JobsParameters);
        string identityId = PredictedDeployment.Id(deployment.Single(Identities));
        JsonObject queue = deployment.Single(ServiceBusQueues);

        JsonObject worker = Assert.Single(deployment.OfType(ContainerApps), app => app["kind"] is null);
        Assert.Null(worker["properties"]!["configuration"]!["ingress"]);
        Assert.Equal(FunctionsApp(deployment)["properties"]!["workloadProfileName"]!.ToJsonString(),
            worker["properties"]!["workloadProfileName"]!.ToJsonString());
        JsonObject scale = worker["properties"]!["template"]!["scale"]!.AsObject();
        Assert.Equal(0, (int)scale["minReplicas"]!);
        JsonObject rule = Assert.Single((JsonArray)scale["rules"]!)!["custom"]!.AsObject();
        Assert.Equal("azure-servicebus", (string)rule["type"]!);
        Assert.Equal(identityId, (string)rule["identity"]!);
        Assert.Null(rule["auth"]);
        Assert.Equal(PredictedDeployment.ShortName(queue), (string)rule["metadata"]!["queueName"]!);
        Assert.Equal(PredictedDeployment.ShortName(deployment.Single(ServiceBusNamespaces)), (string)rule["metadata"]!["namespace"]!);
    }

    /// <summary>
    /// KEDA's azure-servicebus scaler feeds the HPA an average-value target of <c>messageCount</c> per replica, so it
    /// asks for <c>ceil(messages / messageCount)</c> replicas, at most <c>maxReplicas</c> (and 0 on an empty queue, with
    /// minReplicas 0). A batch of N shards is N messages.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(2)]
    [InlineData(3)]
    [InlineData(100)]
    public async Task Worker_BatchOfNShards_AsksForMinOfNAndMaxReplicasReplicasEachRunningOneShardAtATime(int shards)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(InfraFiles.GpuA100JobsParameters);
        JsonObject worker = Assert.Single(deployment.OfType(ContainerApps), app => app["kind"] is null);
        JsonObject scale = worker["properties"]!["template"]!["scale"]!.AsObject();
        int maxReplicas = (int)scale["maxReplicas"]!;
        int target = int.Parse((string)Assert.Single((JsonArray)scale["rules"]!)!["custom"]!["metadata"]!["messageCount"]!, CultureInfo.InvariantCulture);

        int desired = Math.Min(maxReplicas, (shards + target - 1) / target);

        Assert.Equal(Math.Min(shards, maxReplicas), desired);
        Assert.Equal(target.ToString(CultureInfo.InvariantCulture), PredictedDeployment.Settings(worker)["Thaw__Jobs__MaxConcurrentJobs"]);
    }

    [Theory]
    [InlineData(InfraFiles.GpuT4Parameters)]
    [InlineData(InfraFiles.CpuParameters)]
    public async Task ServiceBus_Disabled_NoNamespaceAndNoWorker(string parametersFile)
    {
        PredictedDeployment deployment = await PredictedDeployment.ForAsync(parametersFile);

        Assert.Empty(deployment.OfType(ServiceBusNamespaces));
        Assert.DoesNotContain(deployment.OfType(ContainerApps), app => app["kind"] is null);
    }

    private static JsonObject FunctionsApp(PredictedDeployment deployment) =>
        Assert.Single(deployment.OfType(ContainerApps), app => (string?)app["kind"] == "functionapp");

    /// <summary>
    /// The resource type and name a role assignment is scoped to: bicep snapshot writes an extension resource's id as
    /// extensionResourceId('&lt;scope id&gt;', ...); an assignment at resource-group or subscription scope has none.
    /// </summary>
    private static (string Type, string Name) Scope(JsonObject assignment)
    {
        const string Prefix = "[extensionResourceId('";
        string id = PredictedDeployment.Id(assignment);
        Assert.StartsWith(Prefix, id, StringComparison.Ordinal);
        string scope = id[Prefix.Length..id.IndexOf('\'', Prefix.Length)];
        string[] segments = scope[(scope.IndexOf("/providers/", StringComparison.Ordinal) + "/providers/".Length)..].Split('/');
        // provider/type/name[/childType/childName...] → provider/type[/childType...], and the last name
        return (string.Join('/', segments.Where((_, i) => i == 0 || i % 2 == 1)), segments[^1]);
    }
}
