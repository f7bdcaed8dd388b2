namespace Thaw.Http.Security;

/// <summary><c>Thaw:ApiKeys</c>: keys the standalone host accepts as <c>Authorization: Bearer &lt;key&gt;</c>.</summary>
public sealed class ApiKeyOptions
{
    /// <summary>Empty: no authentication (the host then listens on loopback only, unless told otherwise).</summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary><c>Thaw:AllowAnonymous</c> (<c>--allow-anonymous</c>): serve beyond loopback without keys.</summary>
    public bool AllowAnonymous { get; set; }

    public bool Enabled => ApiKeys.Any(k => !string.IsNullOrWhiteSpace(k));
}
