using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Thaw.Infra.Tests;

/// <summary>
/// The resources a deployment of one parameters file would create, as <c>bicep snapshot</c> predicts them: parameters,
/// variables, conditions, loops and modules evaluated, with a fixed subscription, resource group and region. Values
/// only Azure knows at deployment time (reference(), an identity's client id) stay ARM expressions.
/// </summary>
internal sealed class PredictedDeployment
{
    public const string SubscriptionId = "00000000-0000-0000-0000-000000000001";
    public const string ResourceGroup = "rg-thaw";
    public const string Location = "swedencentral";

    private static readonly ConcurrentDictionary<string, Lazy<Task<PredictedDeployment>>> Cache = new(StringComparer.Ordinal);
    private static readonly Lazy<string> WorkingCopy = new(CopyInfra);

    private PredictedDeployment(string parametersFile, IReadOnlyList<JsonObject> resources)
    {
        ParametersFile = parametersFile;
        Resources = resources;
    }

    public string ParametersFile { get; }

    public IReadOnlyList<JsonObject> Resources { get; }

    /// <summary>Snapshots are computed once per parameters file and test process (each run of the CLI takes seconds).</summary>
    public static Task<PredictedDeployment> ForAsync(string parametersFile) =>
        Cache.GetOrAdd(parametersFile, file => new Lazy<Task<PredictedDeployment>>(() => PredictAsync(file))).Value;

    public IEnumerable<JsonObject> OfType(string type) =>
        Resources.Where(r => string.Equals((string?)r["type"], type, StringComparison.OrdinalIgnoreCase));

    public JsonObject Single(string type) => Assert.Single(OfType(type));

    public JsonObject Named(string type, string nameSuffix) =>
        Assert.Single(OfType(type), r => ((string)r["name"]!).EndsWith(nameSuffix, StringComparison.Ordinal));

    /// <summary>The last segment of a child resource's name (account/default/queue → queue).</summary>
    public static string ShortName(JsonObject resource) => ((string)resource["name"]!).Split('/')[^1];

    public static string Id(JsonObject resource) => (string)resource["id"]!;

    /// <summary>
    /// App settings of a container app (its first container's environment) or of a Functions site (siteConfig.appSettings).
    /// </summary>
    public static Dictionary<string, string> Settings(JsonObject app)
    {
        JsonArray entries = (JsonArray?)(app["properties"]!["template"]?["containers"]?[0]?["env"]
            ?? app["properties"]!["siteConfig"]?["appSettings"])
            ?? throw new InvalidOperationException($"{Id(app)} has neither container env nor appSettings.");
        return entries.Select(e => e!.AsObject()).ToDictionary(
            e => (string)e["name"]!,
            e => (string?)e["value"] ?? throw new InvalidOperationException($"{e["name"]} of {Id(app)} has no plain value (secretRef?)."),
            StringComparer.Ordinal);
    }

    private static async Task<PredictedDeployment> PredictAsync(string parametersFile)
    {
        string directory = WorkingCopy.Value;
        BicepResult result = await BicepCli.RunAsync(directory, "snapshot", parametersFile,
            "--subscription-id", SubscriptionId, "--resource-group", ResourceGroup, "--location", Location);
        Assert.True(result.ExitCode == 0, $"bicep snapshot {parametersFile} failed: {result.Stderr}");

        string snapshotFile = Path.Combine(directory, Path.ChangeExtension(parametersFile, ".snapshot.json"));
        JsonNode snapshot = JsonNode.Parse(await File.ReadAllTextAsync(snapshotFile))!;
        Assert.Empty((JsonArray)snapshot["diagnostics"]!);
        return new PredictedDeployment(parametersFile, [.. ((JsonArray)snapshot["predictedResources"]!).Select(r => r!.AsObject())]);
    }

    /// <summary>bicep snapshot writes next to the parameters file: work on a copy so the repository stays clean.</summary>
    private static string CopyInfra()
    {
        string copy = Path.Combine(Path.GetTempPath(), $"thaw-infra-tests-{Guid.NewGuid():N}");
        foreach (string file in Directory.EnumerateFiles(InfraFiles.Directory, "*", SearchOption.AllDirectories))
        {
            string target = Path.Combine(copy, Path.GetRelativePath(InfraFiles.Directory, file));
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(file, target);
        }

        AppDomain.CurrentDomain.ProcessExit += (_, _) => Directory.Delete(copy, recursive: true);
        return copy;
    }
}
