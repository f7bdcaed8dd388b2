using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Thaw.Inference.Tests.Generation.Templates;

/// <summary>
/// Renders a real Jinja chat template with @huggingface/jinja under node (render-chat-template.mjs), installed by
/// <c>npm ci --prefix tests</c> like Azurite. A missing install fails loudly rather than skipping the comparison.
/// </summary>
internal static class JinjaOracle
{
    /// <summary>Renders each case (an object with messages, add_generation_prompt, bos_token, eos_token) at the instant <paramref name="now"/>.</summary>
    public static async Task<string[]> RenderAsync(string template, DateTimeOffset now, IEnumerable<JsonObject> cases)
    {
        string script = Path.Combine(AppContext.BaseDirectory, "Generation", "Templates", "render-chat-template.mjs");
        var input = new JsonObject
        {
            ["template"] = template,
            ["now"] = now.UtcDateTime.ToString("O", System.Globalization.CultureInfo.InvariantCulture),
            ["cases"] = new JsonArray([.. cases]),
        };

        var start = new ProcessStartInfo("node", [script])
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            StandardInputEncoding = new System.Text.UTF8Encoding(false),
            StandardOutputEncoding = System.Text.Encoding.UTF8,
        };

        // strftime_now reads the local clock: make node's local time UTC, as the C# templates read the clock in UTC.
        start.Environment["TZ"] = "UTC";
        using Process node = Process.Start(start) ?? throw new InvalidOperationException("Could not start node.");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        Task<string> output = node.StandardOutput.ReadToEndAsync(timeout.Token);
        Task<string> errors = node.StandardError.ReadToEndAsync(timeout.Token);
        await node.StandardInput.WriteAsync(input.ToJsonString());
        node.StandardInput.Close();
        await node.WaitForExitAsync(timeout.Token);
        if (node.ExitCode != 0)
        {
            string error = await errors;
            throw new InvalidOperationException(error.Contains("@huggingface/jinja", StringComparison.Ordinal)
                ? $"@huggingface/jinja is not installed under tests/node_modules. Run 'npm ci --prefix tests' (tests/run.sh does it). {error}"
                : $"The Jinja oracle failed with exit code {node.ExitCode}: {error}");
        }

        return JsonSerializer.Deserialize<string[]>(await output) ?? throw new InvalidOperationException("The Jinja oracle wrote no output.");
    }
}
