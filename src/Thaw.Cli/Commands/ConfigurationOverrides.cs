using System.CommandLine;

namespace Thaw.Cli.Commands;

/// <summary><c>--set Key=Value</c>, on every command: configuration with the highest precedence.</summary>
internal static class ConfigurationOverrides
{
    public static Option<string[]> Option { get; } = CreateOption();

    public static Dictionary<string, string?> Read(ParseResult parse) =>
        (parse.GetValue(Option) ?? []).Select(Split).ToDictionary(p => p.Key, p => (string?)p.Value, StringComparer.OrdinalIgnoreCase);

    private static Option<string[]> CreateOption()
    {
        var option = new Option<string[]>("--set")
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
