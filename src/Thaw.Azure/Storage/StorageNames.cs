namespace Thaw.Azure.Storage;

/// <summary>The naming rules of Azure Storage that Thaw checks before it touches a name that came from outside.</summary>
internal static class StorageNames
{
    /// <summary>
    /// Containers and queues of the Functions host in its storage account (<c>azure-webjobs-hosts</c>,
    /// <c>azure-webjobs-secrets</c>, blob-trigger queues): never Thaw's to write.
    /// </summary>
    public const string FunctionsHostPrefix = "azure-webjobs-";

    /// <summary>The service's longest blob name.</summary>
    public const int MaxBlobNameLength = 1024;

    /// <summary>The service's most path segments in a blob name.</summary>
    public const int MaxBlobSegments = 254;

    /// <summary>
    /// A container or queue name as the service accepts it: 3-63 lowercase letters, digits and hyphens, starting and
    /// ending with a letter or digit, no two hyphens together. This also rules out <c>$root</c>, <c>$web</c>, <c>$logs</c>.
    /// </summary>
    public static bool IsContainerOrQueueName(string name)
    {
        if (name.Length is < 3 or > 63 || name[0] == '-' || name[^1] == '-' || name.Contains("--", StringComparison.Ordinal))
        {
            return false;
        }

        return name.All(c => c is (>= 'a' and <= 'z') or (>= '0' and <= '9') or '-');
    }

    /// <summary>
    /// A blob name Thaw writes for someone else: at most 1024 characters and 254 segments, segments separated by single
    /// slashes with none empty, <c>.</c> or <c>..</c>, no leading or trailing slash or dot, no backslash (the service
    /// reads it as a slash) and no control character.
    /// </summary>
    public static bool IsBlobName(string name, out string problem)
    {
        problem = "";
        if (name.Length is 0 or > MaxBlobNameLength)
        {
            problem = $"a blob name has 1 to {MaxBlobNameLength} characters";
        }
        else if (name.Any(c => c == '\\' || char.IsControl(c)))
        {
            problem = "a blob name has no backslash or control character";
        }
        else if (name.EndsWith('.'))
        {
            problem = "a blob name does not end with a dot";
        }
        else
        {
            string[] segments = name.Split('/');
            if (segments.Length > MaxBlobSegments)
            {
                problem = $"a blob name has at most {MaxBlobSegments} segments";
            }
            else if (segments.Any(s => s is "" or "." or ".."))
            {
                problem = "a blob name has no empty, '.' or '..' segment and no leading or trailing slash";
            }
        }

        return problem.Length == 0;
    }
}
