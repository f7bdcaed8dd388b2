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
}
