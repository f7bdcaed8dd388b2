using System.Text.Json.Nodes;

namespace Thaw.Infra.Tests;

/// <summary>Every template compiles and lints with zero diagnostics: bicep reports unknown properties, API versions and
/// resource types as warnings, so this is also where a typo in a resource shape fails.</summary>
public sealed class BicepCompileTests
{
    [Theory]
    [MemberData(nameof(InfraFiles.Entries), MemberType = typeof(InfraFiles))]
    public async Task Build_Entry_CompilesWithoutDiagnostics(string entry)
    {
        BicepResult result = await BicepCli.RunAsync(InfraFiles.Directory, "build", entry, "--stdout");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Diagnostics);
        Assert.NotNull(JsonNode.Parse(result.Stdout)?["resources"]);
    }

    [Theory]
    [MemberData(nameof(InfraFiles.BicepFiles), MemberType = typeof(InfraFiles))]
    public async Task Lint_BicepFile_NoDiagnostics(string file)
    {
        BicepResult result = await BicepCli.RunAsync(InfraFiles.Directory, "lint", file);

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Diagnostics);
    }

    [Theory]
    [MemberData(nameof(InfraFiles.ParametersFiles), MemberType = typeof(InfraFiles))]
    public async Task BuildParams_ParametersFile_CompilesWithoutDiagnostics(string parametersFile)
    {
        BicepResult result = await BicepCli.RunAsync(InfraFiles.Directory, "build-params", parametersFile, "--stdout");

        Assert.Equal(0, result.ExitCode);
        Assert.Empty(result.Diagnostics);
    }

    [Theory]
    [MemberData(nameof(InfraFiles.Entries), MemberType = typeof(InfraFiles))]
    public async Task Build_Entry_ReadsNoKeyOrCredential(string entry)
    {
        BicepResult result = await BicepCli.RunAsync(InfraFiles.Directory, "build", entry, "--stdout");

        // listKeys()/listCredentials() would put an account key or registry password into the deployment.
        Assert.DoesNotContain("listKeys(", result.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listCredentials(", result.Stdout, StringComparison.OrdinalIgnoreCase);
        Assert.DoesNotContain("listConnectionStrings(", result.Stdout, StringComparison.OrdinalIgnoreCase);
    }

    [Fact]
    public async Task BuildParams_CpuParameters_AlwaysReadyZero()
    {
        BicepResult template = await BicepCli.RunAsync(InfraFiles.Directory, "build", InfraFiles.CpuEntry, "--stdout");
        BicepResult parameters = await BicepCli.RunAsync(InfraFiles.Directory, "build-params", InfraFiles.CpuParameters, "--stdout");

        Assert.Equal(0, (int)JsonNode.Parse(template.Stdout)!["parameters"]!["alwaysReadyInstances"]!["defaultValue"]!);
        JsonNode parametersJson = JsonNode.Parse((string)JsonNode.Parse(parameters.Stdout)!["parametersJson"]!)!;
        Assert.Equal(0, (int)parametersJson["parameters"]!["alwaysReadyInstances"]!["value"]!);
    }

    [Fact]
    public async Task Build_GpuEntry_MinReplicasDefaultZero()
    {
        BicepResult template = await BicepCli.RunAsync(InfraFiles.Directory, "build", InfraFiles.GpuEntry, "--stdout");

        Assert.Equal(0, (int)JsonNode.Parse(template.Stdout)!["parameters"]!["minReplicas"]!["defaultValue"]!);
    }
}
