using System.Text.RegularExpressions;

namespace Thaw.Infra.Tests;

/// <summary>
/// Issue 11, item 18: every image runs as a non-root user. No Docker engine here, so these read the Dockerfiles' text:
/// the final stage's last USER is a numeric UID other than 0 (or the .NET image's <c>$APP_UID</c>), and the model cache
/// it writes is created for that UID before it takes over.
/// </summary>
public sealed partial class DockerfileTests
{
    private static readonly string DockerDirectory = Path.Combine(InfraFiles.Directory, "docker");

    private static readonly string[] Names =
        [.. Directory.EnumerateFiles(DockerDirectory, "Dockerfile.*").Select(f => Path.GetFileName(f)).Order(StringComparer.Ordinal)];

    public static TheoryData<string> Dockerfiles => [.. Names];

    [Fact]
    public void Dockerfiles_AreTheThreeImages() =>
        Assert.Equal(["Dockerfile.cpu", "Dockerfile.gpu", "Dockerfile.worker"], Names);

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void FinalStage_RunsAsANumericNonRootUser(string dockerfile)
    {
        string[] stage = FinalStage(dockerfile);

        string user = Assert.IsType<string>(stage.LastOrDefault(i => i.StartsWith("USER ", StringComparison.Ordinal)), exactMatch: true)["USER ".Length..].Trim();
        Assert.True(user is "$APP_UID" or "${APP_UID}" || (int.TryParse(user, out int uid) && uid > 0), $"{dockerfile}: USER {user} is not a numeric non-root UID.");
        // Nothing after the switch runs as root again, and the switch comes after every RUN.
        int switchedAt = Array.FindLastIndex(stage, i => i.StartsWith("USER ", StringComparison.Ordinal));
        Assert.DoesNotContain(stage[switchedAt..], i => i.StartsWith("RUN ", StringComparison.Ordinal));
    }

    [Theory]
    [MemberData(nameof(Dockerfiles))]
    public void FinalStage_ModelCacheIsOwnedByThatUser(string dockerfile)
    {
        string[] stage = FinalStage(dockerfile);
        string user = stage.Last(i => i.StartsWith("USER ", StringComparison.Ordinal))["USER ".Length..].Trim();

        Match cache = Assert.Single(stage.Select(i => CacheDirectory().Match(i)), m => m.Success);
        string directory = cache.Groups["dir"].Value;
        Assert.Contains(stage, i => i.StartsWith("RUN ", StringComparison.Ordinal) && i.Contains($"mkdir -p {directory}", StringComparison.Ordinal)
            && Regex.IsMatch(i, $@"chown ""?{Regex.Escape(user)}""?( \S+)* {Regex.Escape(directory)}\b"));
    }

    [Theory]
    [InlineData("Dockerfile.cpu")]
    [InlineData("Dockerfile.gpu")]
    public void FunctionsImages_ListenOnAnUnprivilegedPort(string dockerfile) =>
        Assert.Contains(FinalStage(dockerfile), i => i.StartsWith("ENV ", StringComparison.Ordinal) && i.Contains("ASPNETCORE_URLS=http://+:8080", StringComparison.Ordinal));

    /// <summary>The instructions after the last FROM, with continuation lines joined and comments dropped.</summary>
    private static string[] FinalStage(string dockerfile)
    {
        string text = File.ReadAllText(Path.Combine(DockerDirectory, dockerfile));
        string[] instructions = [.. Continuation().Replace(string.Join('\n', text.Split('\n').Where(l => !l.TrimStart().StartsWith('#'))), " ")
            .Split('\n').Select(l => l.Trim()).Where(l => l.Length > 0)];
        int from = Array.FindLastIndex(instructions, i => i.StartsWith("FROM ", StringComparison.Ordinal));
        Assert.True(from >= 0, $"{dockerfile} has no FROM.");
        return instructions[from..];
    }

    [GeneratedRegex(@"\\\n\s*")]
    private static partial Regex Continuation();

    [GeneratedRegex(@"Thaw__CacheDirectory=(?<dir>/\S+)")]
    private static partial Regex CacheDirectory();
}
