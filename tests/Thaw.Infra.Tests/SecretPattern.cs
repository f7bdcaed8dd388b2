using System.Text.RegularExpressions;

namespace Thaw.Infra.Tests;

/// <summary>What a secret in an app setting looks like: storage and Service Bus keys, SAS tokens, passwords.</summary>
internal static partial class SecretPattern
{
    public static bool Matches(string text) => Pattern().IsMatch(text);

    [GeneratedRegex(@"AccountKey=|SharedAccessKey|SharedAccessSignature|[?&;]sig=|password|passwd|pwd=|secret|client_?secret|listKeys\(|listCredentials\(",
        RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex Pattern();
}
