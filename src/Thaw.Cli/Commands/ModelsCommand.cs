using System.CommandLine;
using System.Globalization;
using Thaw.Http.Contracts;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;

namespace Thaw.Cli.Commands;

internal static class ModelsCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var json = new Option<bool>("--json") { Description = "Print the OpenAI-compatible model list (as GET /v1/models) instead of a table." };
        var list = new Command("list", "List the models in the catalog (models/<id>/model.json).") { json };
        list.SetAction(async (parse, cancellationToken) =>
        {
            using IHost host = LocalHost.Build(ConfigurationOverrides.Read(parse));
            ModelHost models = host.Services.GetRequiredService<ModelHost>();
            if (parse.GetValue(json))
            {
                ModelsResponse response = host.Services.GetRequiredService<Thaw.Http.Endpoints.ModelsEndpoint>().List();
                await stdout.WriteLineAsync(System.Text.Json.JsonSerializer.Serialize(response, ThawJson.Context.ModelsResponse));
                return 0;
            }

            string[][] rows =
            [
                ["ID", "TASK", "DIMS", "MAX TOKENS", "POOLING", "SOURCE", "LICENSE"],
                .. models.Catalog.Models.OrderBy(m => m.Id, StringComparer.Ordinal).Select(m => new[]
                {
                    m.Id == models.Catalog.DefaultModelId ? m.Id + " (default)" : m.Id,
                    m.Task.Name(),
                    // A decoder has no vectors: its token limit is its context length.
                    m.Generation is null ? m.Dimensions.ToString(CultureInfo.InvariantCulture) : "-",
                    (m.Generation?.ContextLength ?? m.MaxTokens).ToString(CultureInfo.InvariantCulture),
                    m.Pooling?.ToString().ToLowerInvariant() ?? "-",
                    Describe(m.Source),
                    m.License,
                }),
            ];
            int[] widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
            foreach (string[] row in rows)
            {
                await stdout.WriteLineAsync(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
            }

            return 0;
        });
        return new Command("models", "Inspect the model catalog and add models to it.") { list, ModelsAddCommand.Create(stdout, stderr) };
    }

    private static string Describe(ModelSourceSpec source) => source.Kind switch
    {
        "nuget" => $"nuget:{source.Package}/{source.Version}",
        "path" => $"path:{source.Path}",
        "blob" => $"blob:{source.Container}/{source.Prefix}",
        _ => source.Kind,
    };
}
