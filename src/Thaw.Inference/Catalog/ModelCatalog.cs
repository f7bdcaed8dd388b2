using System.Text.Json;
using System.Text.RegularExpressions;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Storage;

namespace Thaw.Inference.Catalog;

/// <summary>
/// The models this instance knows, read once from a folder holding one sub-folder per model, each with a
/// <c>model.json</c>. Every manifest is validated up front so a typo fails at start, naming the file.
/// </summary>
public sealed partial class ModelCatalog
{
    public const string ManifestFileName = "model.json";

    private readonly Dictionary<string, ModelManifest> _models;

    private ModelCatalog(Dictionary<string, ModelManifest> models, string defaultModelId)
    {
        _models = models;
        DefaultModelId = defaultModelId;
    }

    public string DefaultModelId { get; }

    public IReadOnlyCollection<ModelManifest> Models => _models.Values;

    public ModelManifest Get(string modelId) =>
        _models.TryGetValue(modelId, out ModelManifest? manifest)
            ? manifest
            : throw new ModelNotFoundException(modelId, _models.Keys.Order(StringComparer.Ordinal));

    public bool Contains(string modelId) => _models.ContainsKey(modelId);

    /// <summary>Reads and validates every manifest under <paramref name="directory"/>.</summary>
    /// <exception cref="ModelCatalogException">A manifest is invalid, or the default model is not among them.</exception>
    public static ModelCatalog Load(string directory, string defaultModelId)
    {
        if (!Directory.Exists(directory))
        {
            throw new ModelCatalogException($"The model catalog folder '{directory}' does not exist (set Thaw:Models:CatalogDirectory).");
        }

        var models = new Dictionary<string, ModelManifest>(StringComparer.Ordinal);
        foreach (string folder in Directory.EnumerateDirectories(directory).Order(StringComparer.Ordinal))
        {
            string path = Path.Combine(folder, ManifestFileName);
            if (File.Exists(path))
            {
                ModelManifest manifest = ReadManifest(path);
                models.Add(manifest.Id, manifest);
            }
        }

        if (models.Count == 0)
        {
            throw new ModelCatalogException($"The model catalog folder '{directory}' holds no */{ManifestFileName}.");
        }

        if (!models.ContainsKey(defaultModelId))
        {
            throw new ModelCatalogException(
                $"The default model '{defaultModelId}' (Thaw:Models:Default) is not in the catalog at '{directory}'. Known models: {string.Join(", ", models.Keys)}.");
        }

        return new ModelCatalog(models, defaultModelId);
    }

    /// <summary>Reads one manifest and checks it; the folder name must equal the id.</summary>
    public static ModelManifest ReadManifest(string path)
    {
        ModelManifest? manifest;
        try
        {
            using FileStream stream = File.OpenRead(path);
            manifest = JsonSerializer.Deserialize(stream, ManifestJsonContext.Default.ModelManifest);
        }
        catch (JsonException e)
        {
            throw new ModelCatalogException($"{path}: invalid manifest: {e.Message}", e);
        }
        catch (IOException e)
        {
            throw new ModelCatalogException($"{path}: cannot be read: {e.Message}", e);
        }

        if (manifest is null)
        {
            throw new ModelCatalogException($"{path}: invalid manifest: the file holds 'null'.");
        }

        string folder = Path.GetDirectoryName(Path.GetFullPath(path))!;
        manifest = manifest with { Directory = folder };
        Validate(manifest, path, Path.GetFileName(folder));
        return manifest;
    }

    private static void Validate(ModelManifest m, string path, string folderName)
    {
        void Check(bool ok, string problem)
        {
            if (!ok)
            {
                throw new ModelCatalogException($"{path}: model '{m.Id}': {problem}");
            }
        }

        Check(IdPattern().IsMatch(m.Id), "'id' must be lower-case letters, digits, '.', '_' or '-' (at most 64).");
        Check(m.Id == folderName, $"'id' must equal the folder name '{folderName}'.");
        Check(!string.IsNullOrWhiteSpace(m.License), "'license' must be set.");
        // Before 2000 is a typo rather than a transformer: the field is read as a Unix time by every OpenAI client.
        Check(m.Published is not { Year: < 2000 }, "'published' must be an ISO date (yyyy-MM-dd) from 2000 on.");
        if (m.Task == ModelTask.TextGeneration)
        {
            ValidateGeneration(m, Check);
        }
        else
        {
            ValidateEmbedding(m, Check);
        }

        foreach (ModelFileSpec file in m.Files)
        {
            Check(VerifiedFile.IsSha256(file.Sha256), $"file '{file.Name}': 'sha256' must be 64 lower-case hex digits.");
            Check(file.Size > 0, $"file '{file.Name}': 'size' must be positive.");
            Check(PlainFileName.IsValid(file.Name), $"file '{file.Name}': 'name' must be a plain file name ({PlainFileName.Check(file.Name)}).");
            Check(file.Location.Length > 0, $"file '{file.Name}': 'location' must be set.");
        }

        ModelSourceSpec s = m.Source;
        switch (s.Kind)
        {
            case "nuget":
                Check(!string.IsNullOrEmpty(s.Package) && !string.IsNullOrEmpty(s.Version) && !string.IsNullOrEmpty(s.Assembly),
                    "a 'nuget' source needs 'package', 'version' and 'assembly'.");
                break;
            case "path":
                Check(!string.IsNullOrEmpty(s.Path), "a 'path' source needs 'path'.");
                break;
            case "blob":
                Check(!string.IsNullOrEmpty(s.Container), "a 'blob' source needs 'container'.");
                break;
            default:
                Check(false, $"'source.kind' '{s.Kind}' is not known (nuget, path or blob).");
                break;
        }
    }

    private static void ValidateEmbedding(ModelManifest m, Action<bool, string> check)
    {
        check(m.MaxTokens is >= 3 and <= 8192, "'maxTokens' must be between 3 and 8192.");
        check(m.Dimensions is >= 1 and <= 65536, "'dimensions' must be between 1 and 65536.");
        check(m.Pooling is not null, "'pooling' must be set ('mean' or 'cls').");
        check(m.Tokenizer.Kind == TokenizerKinds.BertWordPiece, $"'tokenizer.kind' '{m.Tokenizer.Kind}' is not supported for embeddings (only 'bert-wordpiece').");
        check(m.Generation is null, "'generation' is only for 'task': 'text-generation'.");
        CheckRoles(m, check, required: [ModelFileRole.Model, ModelFileRole.Vocab], optional: []);
    }

    private static void ValidateGeneration(ModelManifest m, Action<bool, string> check)
    {
        check(m.Generation is not null, "a 'text-generation' model needs a 'generation' object (contextLength, eosTokenIds, ...).");
        GenerationSpec g = m.Generation!;
        check(m.Tokenizer.Kind is TokenizerKinds.ByteLevelBpe or TokenizerKinds.SentencePiece,
            $"'tokenizer.kind' '{m.Tokenizer.Kind}' is not supported for text generation ('{TokenizerKinds.ByteLevelBpe}' or '{TokenizerKinds.SentencePiece}').");
        check(m.Pooling is null && m.Dimensions == 0 && m.MaxTokens == 0,
            "'pooling', 'dimensions' and 'maxTokens' are for embedding models; a decoder's limit is 'generation.contextLength'.");
        check(g.ContextLength is >= 2 and <= 1 << 20, "'generation.contextLength' must be between 2 and 1048576.");
        check(g.Slots is >= 1 and <= 4096, "'generation.slots' must be between 1 and 4096.");
        check(g.EosTokenIds.Count > 0, "'generation.eosTokenIds' must list at least one token id.");
        check(g.EosTokenIds.All(id => id >= 0) && g.BosTokenId is null or >= 0 && g.PadTokenId is null or >= 0,
            "'generation.bosTokenId', 'eosTokenIds' and 'padTokenId' must be non-negative token ids.");
        check(g.ChatTemplate is null || ChatTemplates.Names.Contains(g.ChatTemplate),
            $"'generation.chatTemplate' '{g.ChatTemplate}' is not a built-in template ({string.Join(", ", ChatTemplates.Names)}; or leave it out for completions only).");
        check(g.Defaults.MaxTokens >= 1 && g.Defaults.MaxTokens < g.ContextLength,
            "'generation.defaults.maxTokens' must be at least 1 and below 'generation.contextLength'.");
        check(g.Defaults.Temperature is >= 0 and <= 2, "'generation.defaults.temperature' must be between 0 and 2.");
        check(g.Defaults.TopP is > 0 and <= 1, "'generation.defaults.topP' must be above 0 and at most 1.");
        check(g.Layout is null or "optimum" or "gqa", $"'generation.layout' '{g.Layout}' is not known ('optimum' or 'gqa'; or leave it out to detect it).");
        check(g.KvDtype is null or "float32" or "float16" or "bfloat16", $"'generation.kvDtype' '{g.KvDtype}' is not known (float32, float16 or bfloat16).");
        check(g.Layers is null or >= 1 && g.KvHeads is null or >= 1 && g.HeadDim is null or >= 1 && g.VocabSize is null or >= 1,
            "'generation.layers', 'kvHeads', 'headDim' and 'vocabSize' must be positive when given.");
        CheckRoles(m, check, required: [ModelFileRole.Model, ModelFileRole.Tokenizer],
            optional: [ModelFileRole.ModelData, ModelFileRole.TokenizerConfig, ModelFileRole.GenerationConfig]);
    }

    private static void CheckRoles(ModelManifest m, Action<bool, string> check, ModelFileRole[] required, ModelFileRole[] optional)
    {
        foreach (ModelFileRole role in Enum.GetValues<ModelFileRole>())
        {
            int count = m.Files.Count(f => f.Role == role);
            string name = JsonNamingPolicy.CamelCase.ConvertName(role.ToString());
            if (required.Contains(role))
            {
                check(count == 1, $"'files' must hold exactly one file with role '{name}'.");
            }
            else if (optional.Contains(role))
            {
                check(count <= 1, $"'files' must hold at most one file with role '{name}'.");
            }
            else
            {
                check(count == 0, $"'files' must hold no file with role '{name}' for a '{m.Task.Name()}' model.");
            }
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9._-]{0,63}$")]
    private static partial Regex IdPattern();
}
