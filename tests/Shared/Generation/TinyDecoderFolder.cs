using System.Security.Cryptography;
using System.Text.Json.Nodes;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Tokenizers;
using Thaw.Inference.Onnx.Generation;
using Thaw.Inference.Onnx.Generation.Synthetic;

namespace Thaw.Testing;

/// <summary>
/// A catalog folder holding one synthetic decoder as an exported model would be: <c>model.onnx</c>, a byte-level
/// <c>tokenizer.json</c> whose vocabulary (256 byte tokens and <c>&lt;|endoftext|&gt;</c>) is exactly the graph's
/// logits, and a <c>model.json</c> with a <c>path</c> source whose hashes and sizes match.
/// </summary>
internal static class TinyDecoderFolder
{
    public const int Vocab = 257;
    public const int EndOfText = 256;

    /// <summary>
    /// A fresh catalog folder that holds the real embedding model's manifest (its weights come from the shared cache),
    /// for decoders to be written beside it with <see cref="Write"/>.
    /// </summary>
    public static string NewCatalog()
    {
        string catalog = Directory.CreateTempSubdirectory("thaw-decoder-catalog-").FullName;
        string embedder = Path.Combine(catalog, RealModels.MiniLm);
        Directory.CreateDirectory(embedder);
        File.Copy(Path.Combine(RealModels.CatalogDirectory, RealModels.MiniLm, "model.json"), Path.Combine(embedder, "model.json"));
        return catalog;
    }

    /// <summary>Writes <c>{catalog}/{id}/</c> and returns the manifest path; <paramref name="generation"/> adjusts the <c>generation</c> object.</summary>
    public static string Write(string catalog, string id, DecoderLayout layout, Action<JsonObject>? generation = null)
    {
        string folder = Path.Combine(catalog, id);
        Directory.CreateDirectory(folder);
        SyntheticDecoderConfig config = SyntheticDecoderConfig.Tiny(layout) with { Vocab = Vocab };
        byte[] model = SyntheticDecoderModel.Build(SyntheticDecoderWeights.Create(config));
        byte[] tokenizer = TokenizerJson();
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), model);
        File.WriteAllBytes(Path.Combine(folder, "tokenizer.json"), tokenizer);
        var generationJson = new JsonObject { ["contextLength"] = 64, ["slots"] = 2, ["eosTokenIds"] = new JsonArray(EndOfText), ["defaults"] = new JsonObject { ["maxTokens"] = 16 } };
        generation?.Invoke(generationJson);
        var manifest = new JsonObject
        {
            ["id"] = id,
            ["task"] = "text-generation",
            ["description"] = "random weights: for tests, output is gibberish",
            ["license"] = "MIT",
            ["source"] = new JsonObject { ["kind"] = "path", ["path"] = "." },
            ["files"] = new JsonArray(FileEntry("model", "model.onnx", model), FileEntry("tokenizer", "tokenizer.json", tokenizer)),
            ["tokenizer"] = new JsonObject { ["kind"] = "byte-level-bpe" },
            ["generation"] = generationJson,
        };
        string path = Path.Combine(folder, ModelCatalog.ManifestFileName);
        File.WriteAllText(path, manifest.ToJsonString());
        return path;
    }

    /// <summary>
    /// Writes <paramref name="folder"/> as an exporter leaves it, without a manifest: <c>model.onnx</c>,
    /// <c>tokenizer.json</c> and a Hugging Face <c>config.json</c> that describes the graph (<paramref name="config"/>
    /// adjusts it), plus a <c>tokenizer_config.json</c> when <paramref name="chatTemplate"/> is given.
    /// </summary>
    public static string WriteExported(string folder, DecoderLayout layout, Action<JsonObject>? config = null, string? chatTemplate = null)
    {
        Directory.CreateDirectory(folder);
        SyntheticDecoderConfig shape = SyntheticDecoderConfig.Tiny(layout) with { Vocab = Vocab };
        File.WriteAllBytes(Path.Combine(folder, "model.onnx"), SyntheticDecoderModel.Build(SyntheticDecoderWeights.Create(shape)));
        File.WriteAllBytes(Path.Combine(folder, "tokenizer.json"), TokenizerJson());
        var configJson = new JsonObject
        {
            ["model_type"] = layout == DecoderLayout.Optimum ? "gpt2" : "llama",
            ["num_hidden_layers"] = shape.Layers,
            ["num_attention_heads"] = shape.Heads,
            ["num_key_value_heads"] = shape.KvHeads,
            ["hidden_size"] = shape.Hidden,
            ["vocab_size"] = shape.Vocab,
            ["max_position_embeddings"] = shape.MaxPositions,
            ["bos_token_id"] = EndOfText,
            ["eos_token_id"] = EndOfText,
        };
        config?.Invoke(configJson);
        File.WriteAllText(Path.Combine(folder, "config.json"), configJson.ToJsonString());
        if (chatTemplate is not null)
        {
            File.WriteAllText(Path.Combine(folder, "tokenizer_config.json"), new JsonObject { ["chat_template"] = chatTemplate }.ToJsonString());
        }

        return folder;
    }

    private static JsonObject FileEntry(string role, string name, byte[] content) => new()
    {
        ["role"] = role,
        ["name"] = name,
        ["location"] = name,
        ["sha256"] = Convert.ToHexStringLower(SHA256.HashData(content)),
        ["size"] = content.Length,
    };

    private static byte[] TokenizerJson()
    {
        var vocab = new JsonObject();
        for (int b = 0; b < 256; b++)
        {
            vocab[ByteLevelAlphabet.CharOf((byte)b).ToString()] = b;
        }

        vocab["<|endoftext|>"] = EndOfText;
        var json = new JsonObject
        {
            ["version"] = "1.0",
            ["added_tokens"] = new JsonArray(new JsonObject
            {
                ["id"] = EndOfText, ["content"] = "<|endoftext|>", ["single_word"] = false, ["lstrip"] = false, ["rstrip"] = false, ["normalized"] = true, ["special"] = true,
            }),
            ["normalizer"] = null,
            ["pre_tokenizer"] = JsonNode.Parse("""{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}"""),
            ["post_processor"] = null,
            ["decoder"] = JsonNode.Parse("""{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true}"""),
            ["model"] = new JsonObject { ["type"] = "BPE", ["vocab"] = vocab, ["merges"] = new JsonArray() },
        };
        return System.Text.Encoding.UTF8.GetBytes(json.ToJsonString(new System.Text.Json.JsonSerializerOptions { WriteIndented = false }));
    }
}
