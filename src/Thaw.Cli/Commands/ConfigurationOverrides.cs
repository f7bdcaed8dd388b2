using System.CommandLine;

namespace Thaw.Cli.Commands;

/// <summary><c>--set Key=Value</c>, on every command: configuration with the highest precedence.</summary>
internal static class ConfigurationOverrides
{
    private const string Name = "--set";

    /// <summary>The overrides given; a key given twice keeps its last value.</summary>
    public static Dictionary<string, string?> Read(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string key, string value) in (parse.GetValue<string[]>(Name) ?? []).Select(Split))
        {
            overrides[key] = value;
        }

        return overrides;
    }

    /// <summary>The option, added once to the root command (it is recursive).</summary>
    public static Option<string[]> CreateOption()
    {
        var option = new Option<string[]>(Name)
        {
            Description = "Override a configuration key, e.g. --set Thaw:Onnx:ExecutionProvider=Cpu (repeatable; " +
                "environment variables such as Thaw__Onnx__ExecutionProvider work too).",
            Recursive = true,
            HelpName = "key=value",
        };
        option.Validators.Add(result =>
        {
            foreach (string token in result.Tokens.Select(t => t.Value).Where(t => Split(t).Key.Length == 0))
            {
                result.AddError($"--set expects key=value, got '{token}'.");
            }
        });
        return option;
    }

    private static KeyValuePair<string, string> Split(string token)
    {
        int equals = token.IndexOf('=', StringComparison.Ordinal);
        return equals <= 0 ? new("", "") : new(token[..equals].Trim(), token[(equals + 1)..]);
    }
}
