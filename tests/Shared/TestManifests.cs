using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Thaw.Inference.Catalog;

namespace Thaw.Testing;

/// <summary>Small synthetic models for catalog, cache and snapshot tests.</summary>
internal static class TestManifests
{
    /// <summary>A manifest that passes validation, with a <c>path</c> source in its own folder.</summary>
    public static JsonObject Valid(string id = "m1") => new()
    {
        ["id"] = id,
        ["task"] = "embedding",
        ["license"] = "MIT",
        ["source"] = new JsonObject { ["kind"] = "path", ["path"] = "." },
        ["files"] = new JsonArray(
            new JsonObject { ["role"] = "model", ["name"] = "model.onnx", ["location"] = "model.onnx", ["sha256"] = new string('a', 64), ["size"] = 4 },
            new JsonObject { ["role"] = "vocab", ["name"] = "vocab.txt", ["location"] = "vocab.txt", ["sha256"] = new string('b', 64), ["size"] = 4 }),
        ["tokenizer"] = new JsonObject { ["kind"] = "bert-wordpiece" },
        ["pooling"] = "mean",
        ["maxTokens"] = 16,
        ["dimensions"] = 8,
    };

    /// <summary>A text-generation manifest that passes validation, with a <c>path</c> source in its own folder.</summary>
    public static JsonObject ValidGeneration(string id = "g1") => new()
    {
        ["id"] = id,
        ["task"] = "text-generation",
        ["license"] = "MIT",
        ["source"] = new JsonObject { ["kind"] = "path", ["path"] = "." },
        ["files"] = new JsonArray(
            new JsonObject { ["role"] = "model", ["name"] = "model.onnx", ["location"] = "model.onnx", ["sha256"] = new string('a', 64), ["size"] = 4 },
            new JsonObject { ["role"] = "modelData", ["name"] = "model.onnx.data", ["location"] = "model.onnx.data", ["sha256"] = new string('c', 64), ["size"] = 4 },
            new JsonObject { ["role"] = "tokenizer", ["name"] = "tokenizer.json", ["location"] = "tokenizer.json", ["sha256"] = new string('b', 64), ["size"] = 4 }),
        ["tokenizer"] = new JsonObject { ["kind"] = "byte-level-bpe" },
        ["generation"] = new JsonObject { ["contextLength"] = 512, ["eosTokenIds"] = new JsonArray(2) },
    };

    /// <summary>Writes <c>{root}/{id}/</c> with the two files and a manifest whose hashes and sizes match them; reads it back.</summary>
    public static ModelManifest WritePathModel(string root, string id, string weights, string vocab)
    {
        string directory = Path.Combine(root, id);
        Directory.CreateDirectory(directory);
        File.WriteAllText(Path.Combine(directory, "model.onnx"), weights);
        File.WriteAllText(Path.Combine(directory, "vocab.txt"), vocab);
        JsonObject json = Valid(id);
        json["files"]![0]!["sha256"] = Sha256(weights);
        json["files"]![0]!["size"] = System.Text.Encoding.UTF8.GetByteCount(weights);
        json["files"]![1]!["sha256"] = Sha256(vocab);
        json["files"]![1]!["size"] = System.Text.Encoding.UTF8.GetByteCount(vocab);
        string path = Path.Combine(directory, ModelCatalog.ManifestFileName);
        File.WriteAllText(path, json.ToJsonString());
        return ModelCatalog.ReadManifest(path);
    }

    public static string Sha256(string text) => Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(text)));
}
