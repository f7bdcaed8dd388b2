using System.CommandLine;
using System.Globalization;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Thaw.Cli.ModelImport;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Onnx.Generation;
using Thaw.Inference.Settings;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw models add &lt;folder&gt;</c>: registers an exported model folder in the catalog: reads its config files,
/// opens and checks the graph as a load would, hashes the files and writes <c>&lt;catalog&gt;/&lt;id&gt;/model.json</c>
/// with a <c>path</c> source at the folder. A user error (a missing file or field, files that disagree) exits 2.
/// </summary>
internal static partial class ModelsAddCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var folder = new Argument<DirectoryInfo>("folder") { Description = "The exported model: model.onnx, config.json, tokenizer.json or tokenizer.model, ..." };
        var id = new Option<string?>("--id") { Description = "The model's id (what clients put in 'model'). Default: the folder's name in lower case." };
        var catalog = new Option<string?>("--catalog") { Description = "The catalog folder to write to. Default: Thaw:Models:CatalogDirectory (models/ next to thaw)." };
        var chatTemplate = new Option<string?>("--chat-template")
        {
            Description = $"The built-in chat template ({string.Join(", ", ChatTemplates.Names)}; 'none' for completions only). Default: recognized from tokenizer_config.json.",
        };
        var slots = new Option<int?>("--slots") { Description = "Sequences that decode together (1 to 4096). Default: 4." };
        var contextLength = new Option<int?>("--context-length")
        {
            Description = $"Tokens per sequence, prompt and completion (2 to 1048576). Default: the model's, at most {DecoderFolder.DefaultContextCap}.",
        };
        var license = new Option<string?>("--license") { Description = "The weights' licence. Default: the model card's (README.md), else 'unknown'." };
        var force = new Option<bool>("--force") { Description = "Replace a model with the same id that is already in the catalog." };
        var command = new Command("add", "Register an exported model folder in the catalog (writes <catalog>/<id>/model.json).")
        {
            folder, id, catalog, chatTemplate, slots, contextLength, license, force,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            try
            {
                var settings = new AddModelSettings
                {
                    ChatTemplate = parse.GetValue(chatTemplate),
                    Slots = parse.GetValue(slots),
                    ContextLength = parse.GetValue(contextLength),
                    License = parse.GetValue(license),
                };
                Check(settings);
                string source = parse.GetValue(folder)!.FullName.TrimEnd(Path.DirectorySeparatorChar);
                if (!Directory.Exists(source))
                {
                    throw new ModelFolderException($"The folder '{source}' does not exist.");
                }

                string modelId = parse.GetValue(id) ?? IdOf(source);
                if (!IdPattern().IsMatch(modelId))
                {
                    throw new ModelFolderException($"--id: '{modelId}' is not a model id: lower-case letters, digits, '.', '_' or '-', at most 64, starting with a letter or digit.");
                }

                string catalogFolder = Path.GetFullPath(parse.GetValue(catalog) ?? ConfiguredCatalog(ConfigurationOverrides.Read(parse)));
                string target = Path.Combine(catalogFolder, modelId, ModelCatalog.ManifestFileName);
                if (File.Exists(target) && !parse.GetValue(force))
                {
                    throw new ModelFolderException($"The catalog already has a model '{modelId}' ({target}): --force replaces it, --id chooses another id.");
                }

                await AddDecoderAsync(stdout, stderr, source, modelId, catalogFolder, settings, cancellationToken);
                return 0;
            }
            catch (Exception e) when (e is ModelFolderException or ModelCatalogException or InvalidOperationException or InvalidDataException)
            {
                await stderr.WriteLineAsync($"thaw models add: {e.Message}");
                return 2;
            }
        });
        return command;
    }

    private static async Task AddDecoderAsync(TextWriter stdout, TextWriter stderr, string source, string id, string catalog, AddModelSettings settings,
        CancellationToken cancellationToken)
    {
        DecoderImport import = DecoderFolder.Read(source, settings);
        string modelPath = Path.Combine(source, import.ModelFile);
        // The load's own checks, on the declarations read from the folder: a config.json of another export fails here, not at serve time.
        var declared = new ModelManifest
        {
            Id = id, Task = ModelTask.TextGeneration, License = "-", Source = new ModelSourceSpec { Kind = "path", Path = source }, Files = [],
            Tokenizer = new TokenizerSpec { Kind = import.TokenizerKind }, Generation = import.Generation,
        };
        DecoderGraphFacts graph = DecoderExportCheck.Verify(declared, modelPath, import.DeclaredBy);

        GenerationSpec g = import.Generation;
        string licence = settings.License ?? ModelCard.License(source) ?? "unknown";
        JsonArray files = await ManifestWriter.DescribeFilesAsync(id, source, import.Files, new TransferProgressBar(stderr), cancellationToken);
        var generation = new JsonObject
        {
            ["contextLength"] = g.ContextLength,
            ["slots"] = g.Slots,
            ["bosTokenId"] = g.BosTokenId,
            ["eosTokenIds"] = new JsonArray([.. g.EosTokenIds.Select(t => (JsonNode)t)]),
            ["padTokenId"] = g.PadTokenId,
            ["chatTemplate"] = g.ChatTemplate,
            ["defaults"] = new JsonObject { ["maxTokens"] = g.Defaults.MaxTokens, ["temperature"] = g.Defaults.Temperature, ["topP"] = g.Defaults.TopP },
            // What the graph is, so that a file replaced later by another export fails its load naming the field.
            ["layout"] = graph.Layout,
            ["layers"] = graph.Layers,
            ["kvHeads"] = graph.KvHeads,
            ["headDim"] = graph.HeadDim,
            ["vocabSize"] = graph.VocabSize,
            ["kvDtype"] = graph.KvDtype,
        };
        foreach (string absent in generation.Where(p => p.Value is null).Select(p => p.Key).ToList())
        {
            generation.Remove(absent);
        }

        var manifest = new JsonObject
        {
            ["id"] = id,
            ["task"] = "text-generation",
            ["description"] = $"{import.ModelType ?? "decoder"} added by 'thaw models add' from {source}",
            ["license"] = licence,
            ["source"] = new JsonObject { ["kind"] = "path", ["path"] = source },
            ["files"] = files,
            ["tokenizer"] = new JsonObject { ["kind"] = import.TokenizerKind },
            ["generation"] = generation,
        };
        ModelManifest written = ManifestWriter.Write(catalog, id, manifest);

        string Row(string name, string value) => $"  {name,-14} {value}";
        string[] lines =
        [
            $"Found a text-generation model in {source}:",
            Row("id", id),
            Row("task", "text-generation"),
            Row("layout", $"{graph.Layout} ({graph.KvDtype} KV cache)"),
            Row("layers", $"{graph.Layers} ({graph.KvHeads} KV heads of {graph.HeadDim})"),
            Row("vocabulary", graph.VocabSize.ToString(CultureInfo.InvariantCulture)),
            Row("context", $"{g.ContextLength} tokens x {g.Slots} slots"),
            Row("tokenizer", $"{import.TokenizerKind} ({written.GetFile(ModelFileRole.Tokenizer).Name})"),
            Row("chat template", g.ChatTemplate ?? "none (completions only)"),
            Row("eos ids", string.Join(", ", g.EosTokenIds)),
            Row("license", licence),
            .. import.Notes.Select(n => $"note: {n}"),
            string.Create(CultureInfo.InvariantCulture,
                $"Wrote {Path.Combine(written.Directory, ModelCatalog.ManifestFileName)} ({written.Files.Count} files, {written.Files.Sum(f => f.Size) / 1e6:0.0} MB)."),
            $"Try it: thaw generate -m {id} \"Hello\"",
        ];
        foreach (string line in lines)
        {
            await stdout.WriteLineAsync(line);
        }
    }

    private static void Check(AddModelSettings settings)
    {
        if (settings.ChatTemplate is { } template && template != "none" && !ChatTemplates.Names.Contains(template))
        {
            throw new ModelFolderException($"--chat-template: '{template}' is not a built-in template ({string.Join(", ", ChatTemplates.Names)}, or 'none').");
        }

        if (settings.Slots is not (null or (>= 1 and <= 4096)))
        {
            throw new ModelFolderException($"--slots: {settings.Slots} is not between 1 and 4096.");
        }

        if (settings.ContextLength is not (null or (>= 2 and <= 1 << 20)))
        {
            throw new ModelFolderException($"--context-length: {settings.ContextLength} is not between 2 and 1048576.");
        }

        if (settings.License is { } licence && string.IsNullOrWhiteSpace(licence))
        {
            throw new ModelFolderException("--license: empty.");
        }
    }

    /// <summary>The folder's name as an id: lower case, anything else than letters, digits, '.', '_' and '-' becomes '-'.</summary>
    private static string IdOf(string folder)
    {
        string name = NotInId().Replace(Path.GetFileName(folder).ToLowerInvariant(), "-").Trim('-', '.', '_');
        return name.Length > 64 ? name[..64] : name;
    }

    /// <summary>Where the host would read its catalog: the same configuration sources as <c>thaw serve</c>, without starting it.</summary>
    private static string ConfiguredCatalog(IReadOnlyDictionary<string, string?> overrides)
    {
        IConfiguration configuration = new ConfigurationBuilder()
            .AddJsonFile(Path.Combine(AppContext.BaseDirectory, "appsettings.json"), optional: true)
            .AddEnvironmentVariables()
            .AddInMemoryCollection(overrides)
            .Build();
        return new ModelsOptions { CatalogDirectory = configuration["Thaw:Models:CatalogDirectory"] }.ResolveCatalogDirectory();
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();

    [GeneratedRegex("[^a-z0-9._-]+")]
    private static partial Regex NotInId();
}
