using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Security;

/// <summary>
/// <c>Thaw:ApiKeys</c> and <c>Thaw:Owners</c>: keys the standalone host accepts as <c>Authorization: Bearer &lt;key&gt;</c>,
/// and whose files and batches each key's calls see.
/// </summary>
public sealed class ApiKeyOptions : IValidatableObject
{
    /// <summary>
    /// Keys of the owner <c>default</c> (which also holds every record from before owners existed). Empty, with no
    /// <see cref="Owners"/> either: no authentication (the host then listens on loopback only, unless told otherwise).
    /// </summary>
    public string[] ApiKeys { get; set; } = [];

    /// <summary>
    /// <c>Thaw:Owners:{owner}</c> = keys, e.g. <c>Thaw:Owners:team-a:0</c>: each owner's calls see only that owner's
    /// files and batches. Owner names are 1 to 64 of <c>a-z 0-9 -</c>; <c>default</c> is <see cref="ApiKeys"/>.
    /// </summary>
    public Dictionary<string, string[]> Owners { get; set; } = new(StringComparer.Ordinal);

    /// <summary><c>Thaw:AllowAnonymous</c> (<c>--allow-anonymous</c>): serve beyond loopback without keys.</summary>
    public bool AllowAnonymous { get; set; }

    public bool Enabled => Keys().Any();

    /// <summary>Every configured key, trimmed, with its owner and its configuration key (for messages: never the key itself).</summary>
    internal IEnumerable<(string Key, string Owner, string Setting)> Keys() =>
        Listed(OwnerNames.Default, nameof(ApiKeys), ApiKeys)
            .Concat(Owners.OrderBy(o => o.Key, StringComparer.Ordinal).SelectMany(o => Listed(o.Key, $"{nameof(Owners)}:{o.Key}", o.Value)));

    public IEnumerable<ValidationResult> Validate(ValidationContext validationContext)
    {
        foreach (string owner in Owners.Keys.Order(StringComparer.Ordinal))
        {
            if (owner == OwnerNames.Default)
            {
                yield return new ValidationResult(
                    $"'{OwnerNames.Default}' is the owner of Thaw:ApiKeys: list its keys there.", [$"{nameof(Owners)}:{owner}"]);
            }
            else if (!OwnerNames.IsValid(owner))
            {
                yield return new ValidationResult(
                    $"'{owner}' is not an owner name; allowed: 1 to {OwnerNames.MaxLength} of a-z, 0-9 and '-'.", [$"{nameof(Owners)}:{owner}"]);
            }
        }

        var first = new Dictionary<string, (string Owner, string Setting)>(StringComparer.Ordinal);
        foreach ((string key, string owner, string setting) in Keys())
        {
            if (!first.TryAdd(key, (owner, setting)) && first[key].Owner != owner)
            {
                yield return new ValidationResult(
                    $"the same key as Thaw:{first[key].Setting}; a key belongs to one owner.", [setting]);
            }
        }
    }

    private static IEnumerable<(string Key, string Owner, string Setting)> Listed(string owner, string section, string[]? keys) =>
        (keys ?? []).Select((key, i) => (Key: key.Trim(), Owner: owner, Setting: string.Create(CultureInfo.InvariantCulture, $"{section}:{i}")))
            .Where(k => k.Key.Length > 0);
}
