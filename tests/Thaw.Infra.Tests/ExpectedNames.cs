namespace Thaw.Infra.Tests;

/// <summary>
/// Names the deployment creates that the app does not define in code (yet): the request queue of issue 5's
/// request-level messages and the origins container; the job queue and files container are compared with the app's
/// own options (JobsOptions, FilesOptions), as the snapshot container is.
/// </summary>
internal static class ExpectedNames
{
    public const string RequestQueue = "thaw-requests";
    public const string OriginsContainer = "thaw-origins";
    public const string PoisonSuffix = "-poison";

    /// <summary>The Flex Consumption deployment package container of main.cpu.bicep.</summary>
    public const string FlexDeploymentContainer = "thaw-app-package";

    /// <summary>The Functions host's own containers in AzureWebJobsStorage, which the deployment creates for it.</summary>
    public static readonly string[] FunctionsHostContainers = ["azure-webjobs-hosts", "azure-webjobs-secrets"];

    /// <summary>The reply destinations (Thaw:Requests) each parameters file declares.</summary>
    public static (string[] Containers, string[] Queues) Replies(string parametersFile) =>
        parametersFile == InfraFiles.GpuA100JobsParameters ? (["thaw-replies"], ["thaw-replies"]) : ([], []);
}
