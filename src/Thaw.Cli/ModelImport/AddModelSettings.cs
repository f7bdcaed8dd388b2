namespace Thaw.Cli.ModelImport;

/// <summary>What the user of <c>thaw models add</c> chose over what the folder says; null leaves it to the folder.</summary>
internal sealed record AddModelSettings
{
    /// <summary>A built-in template's name, or <c>none</c> for completions only.</summary>
    public string? ChatTemplate { get; init; }

    public int? Slots { get; init; }

    public int? ContextLength { get; init; }

    public string? License { get; init; }
}
