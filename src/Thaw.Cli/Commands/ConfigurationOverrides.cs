using System.CommandLine;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>--set Key=Value</c> and <c>--set-file Key=Path</c>, on every command: configuration with the highest
/// precedence. A secret belongs in a file or in the environment (<c>Thaw__ApiKeys__0</c>), never in argv, which every
/// user of the machine can read (<c>ps</c>, <c>/proc/&lt;pid&gt;/cmdline</c>).
/// </summary>
internal static class ConfigurationOverrides
{
    private const string Name = "--set";
    private const string FileName = "--set-file";

    /// <summary>The overrides given; a key given twice keeps its last value, and <c>--set-file</c> wins over <c>--set</c>.</summary>
    public static Dictionary<string, string?> Read(ParseResult parse)
    {
        var overrides = new Dictionary<string, string?>(StringComparer.OrdinalIgnoreCase);
        foreach ((string key, string value) in (parse.GetValue<string[]>(Name) ?? []).Select(Split))
        {
            overrides[key] = value;
        }

        foreach ((string key, string path) in (parse.GetValue<string[]>(FileName) ?? []).Select(Split))
        {
            overrides[key] = ReadValue(path);
        }

        return overrides;
    }

    /// <summary><c>--set-file</c>, added once to the root command (it is recursive); each file is read when the command line is parsed.</summary>
    public static Option<string[]> CreateFileOption()
    {
        var option = new Option<string[]>(FileName)
        {
            Description = "Like --set, with the value read from a file (one trailing line break dropped), e.g. --set-file " +
                "Thaw:ApiKeys:0=/run/secrets/thaw-key: for secrets, which --set would show to every user of the machine in the process list.",
            Recursive = true,
            HelpName = "key=path",
        };
        option.Validators.Add(result =>
        {
            foreach (string token in result.Tokens.Select(t => t.Value))
            {
                (string key, string path) = Split(token);
                if (key.Length == 0 || path.Length == 0)
                {
                    result.AddError($"--set-file expects key=path, got '{token}'.");
                    continue;
                }

                try
                {
                    _ = ReadValue(path);
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // The path is the user's own argument, never the secret.
                    result.AddError($"--set-file {key}: cannot read '{path}': {e.Message}");
                }
            }
        });
        return option;
    }

    private static string ReadValue(string path)
    {
        string text = File.ReadAllText(path);
        return text.EndsWith("\r\n", StringComparison.Ordinal) ? text[..^2] : text.EndsWith('\n') ? text[..^1] : text;
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
