using System.CommandLine;
using System.Text.Json;
using Thaw.Http.Contracts;
using Thaw.Http.Endpoints;
using Thaw.Http.Errors;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;

namespace Thaw.Cli.Commands;

internal static class EmbedCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model id (see 'thaw models list'). Default: the catalog's default model." };
        var inputType = new Option<string>("--input-type")
        {
            Description = "'query' or 'document': models such as arctic-embed-xs prefix queries.",
            DefaultValueFactory = _ => "document",
        };
        inputType.AcceptOnlyFromAmong("query", "document");
        var encoding = new Option<string>("--encoding-format")
        {
            Description = "'float' (JSON numbers) or 'base64' (little-endian float32).",
            DefaultValueFactory = _ => "float",
        };
        encoding.AcceptOnlyFromAmong("float", "base64");
        var texts = new Argument<string[]>("text")
        {
            Description = "Texts to embed. None: one text per line from standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("embed",
            "Embed texts in-process and print the OpenAI-compatible embeddings response (the same JSON as POST /v1/embeddings) to standard output.")
        {
            model, inputType, encoding, texts,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string[] inputs = parse.GetValue(texts) is { Length: > 0 } given ? given : ReadLines(stdin);
            var request = new EmbeddingsRequest
            {
                Input = JsonSerializer.SerializeToElement(inputs, ThawJson.Context.StringArray),
                Model = parse.GetValue(model),
                InputType = parse.GetValue(inputType),
                EncodingFormat = parse.GetValue(encoding),
            };

            using IHost host = LocalHost.Build(ConfigurationOverrides.Read(parse));
            await host.StartAsync(cancellationToken);
            try
            {
                EmbeddingsResponse response = await host.Services.GetRequiredService<EmbeddingsEndpoint>().EmbedAsync(request, cancellationToken);
                await stdout.WriteLineAsync(JsonSerializer.Serialize(response, ThawJson.Context.EmbeddingsResponse));
                return 0;
            }
            catch (Exception e) when (e is ApiException or ModelNotFoundException or ModelNotReadyException or ModelTooLargeException or ModelCatalogException)
            {
                await stderr.WriteLineAsync($"thaw embed: {e.Message}");
                return e is ApiException or ModelNotFoundException ? 2 : 1;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        });
        return command;
    }

    private static string[] ReadLines(TextReader stdin)
    {
        var lines = new List<string>();
        while (stdin.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                lines.Add(line);
            }
        }

        return [.. lines];
    }
}
