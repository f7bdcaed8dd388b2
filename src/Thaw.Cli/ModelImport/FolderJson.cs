using System.Text.Json;

namespace Thaw.Cli.ModelImport;

/// <summary>
/// One of an exported folder's JSON files (<c>config.json</c>, <c>genai_config.json</c>, ...), absent when the folder
/// has none, with the lenient field reading those files need: exporters write <c>eos_token_id</c> as a number or a
/// list, and leave fields out or null.
/// </summary>
internal sealed class FolderJson
{
    private readonly JsonElement _root;

    private FolderJson(string name, JsonElement root) => (Name, _root) = (name, root);

    public string Name { get; }

    /// <summary>The file <paramref name="name"/> in <paramref name="folder"/>, or null when there is none.</summary>
    /// <exception cref="ModelFolderException">The file is not a JSON object.</exception>
    public static FolderJson? Read(string folder, string name)
    {
        string path = Path.Combine(folder, name);
        if (!File.Exists(path))
        {
            return null;
        }

        try
        {
            using JsonDocument document = JsonDocument.Parse(File.ReadAllBytes(path),
                new JsonDocumentOptions { CommentHandling = JsonCommentHandling.Skip, AllowTrailingCommas = true });
            return document.RootElement.ValueKind == JsonValueKind.Object
                ? new FolderJson(name, document.RootElement.Clone())
                : throw new ModelFolderException($"{path}: expected a JSON object.");
        }
        catch (JsonException e)
        {
            throw new ModelFolderException($"{path}: not valid JSON: {e.Message}", e);
        }
    }

    /// <summary>The integer at a dotted <paramref name="path"/> (<c>model.decoder.head_size</c>), or null when absent or not an integer.</summary>
    public int? Int(string path) => Find(path) is { ValueKind: JsonValueKind.Number } e && e.TryGetInt32(out int value) ? value : null;

    public double? Double(string path) => Find(path) is { ValueKind: JsonValueKind.Number } e ? e.GetDouble() : null;

    public bool? Bool(string path) => Find(path) is { ValueKind: JsonValueKind.True or JsonValueKind.False } e ? e.GetBoolean() : null;

    public string? String(string path) => Find(path) is { ValueKind: JsonValueKind.String } e ? e.GetString() : null;

    /// <summary>An integer or a list of integers (<c>eos_token_id</c>); empty when absent.</summary>
    public IReadOnlyList<int> Ints(string path) => Find(path) switch
    {
        { ValueKind: JsonValueKind.Number } e when e.TryGetInt32(out int one) => [one],
        { ValueKind: JsonValueKind.Array } e => [.. e.EnumerateArray().Where(x => x.ValueKind == JsonValueKind.Number).Select(x => x.GetInt32())],
        _ => [],
    };

    /// <summary>The element at <paramref name="path"/>, or null.</summary>
    public JsonElement? Find(string path)
    {
        JsonElement current = _root;
        foreach (string part in path.Split('.'))
        {
            if (current.ValueKind != JsonValueKind.Object || !current.TryGetProperty(part, out current))
            {
                return null;
            }
        }

        return current.ValueKind == JsonValueKind.Null ? null : current;
    }
}
