namespace Thaw.Infra.Tests;

/// <summary>
/// Names the app will read from configuration but does not define in code yet (the queue jobs issue adds the Files
/// and Jobs options): until then, this is the one place besides infra/modules/conventions.bicep that states them.
/// When the app grows options classes with these defaults, compare with those instead, as the snapshot container is.
/// </summary>
internal static class ExpectedNames
{
    public const string JobQueue = "thaw-jobs";
    public const string RequestQueue = "thaw-requests";
    public const string FilesContainer = "thaw-files";
    public const string OriginsContainer = "thaw-origins";
    public const string PoisonSuffix = "-poison";
}
