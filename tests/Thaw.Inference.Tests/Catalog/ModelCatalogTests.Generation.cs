using System.Text.Json.Nodes;
using Thaw.Inference.Catalog;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Catalog;

/// <summary>Manifests of text-generation models: the <c>generation</c> object and the decoder file roles.</summary>
public sealed partial class ModelCatalogTests
{
    [Fact]
    public void ReadManifest_MinimalGeneration_TakesTheDocumentedDefaults()
    {
        ModelManifest manifest = ModelCatalog.ReadManifest(Write(TestManifests.ValidGeneration()));

        GenerationSpec g = manifest.Generation!;
        Assert.Equal(ModelTask.TextGeneration, manifest.Task);
        Assert.Equal((512, 4, 256), (g.ContextLength, g.Slots, g.Defaults.MaxTokens));
        Assert.Equal([2], g.EosTokenIds);
        Assert.Null(g.ChatTemplate);
        Assert.Null(g.Layout);
        Assert.Null(manifest.Pooling);
        Assert.Equal("model.onnx.data", manifest.FindFile(ModelFileRole.ModelData)?.Name);
        Assert.Null(manifest.FindFile(ModelFileRole.TokenizerConfig));
    }

    [Fact]
    public void ReadManifest_EveryGenerationField_IsRead()
    {
        JsonObject json = TestManifests.ValidGeneration();
        json["tokenizer"] = new JsonObject { ["kind"] = "sentencepiece" };
        json["generation"] = JsonNode.Parse("""
            {
              "contextLength": 128, "slots": 8, "bosTokenId": 1, "eosTokenIds": [2, 32007], "padTokenId": 0,
              "chatTemplate": "phi3", "defaults": { "maxTokens": 32, "temperature": 0.7, "topP": 0.9 },
              "layout": "gqa", "layers": 2, "kvHeads": 2, "headDim": 16, "vocabSize": 32064, "kvDtype": "float16"
            }
            """);

        GenerationSpec g = ModelCatalog.ReadManifest(Write(json)).Generation!;

        Assert.Equal((128, 8, 1, 0, "phi3"), (g.ContextLength, g.Slots, g.BosTokenId, g.PadTokenId, g.ChatTemplate));
        Assert.Equal([2, 32007], g.EosTokenIds);
        Assert.Equal((32, 0.7f, 0.9f), (g.Defaults.MaxTokens, g.Defaults.Temperature, g.Defaults.TopP));
        Assert.Equal(("gqa", 2, 2, 16, 32064, "float16"), (g.Layout, g.Layers, g.KvHeads, g.HeadDim, g.VocabSize, g.KvDtype));
    }

    [Theory]
    [InlineData("\"kvDtype\": \"float16\",", 2)]
    [InlineData("\"kvDtype\": \"bfloat16\",", 2)]
    [InlineData("\"kvDtype\": \"float32\",", 4)]
    [InlineData("", 4)]
    public void ReservedBytes_DecoderWithDeclaredShape_CountsTheFilesAndEveryKvSlotFull(string dtype, int elementBytes)
    {
        JsonObject json = TestManifests.ValidGeneration();
        json["generation"] = JsonNode.Parse($$"""
            { "contextLength": 512, "slots": 8, "eosTokenIds": [2], {{dtype}} "layers": 3, "kvHeads": 2, "headDim": 16 }
            """);

        ModelManifest manifest = ModelCatalog.ReadManifest(Write(json));

        // Key and value, per layer, per slot: [kv_heads, context, head_dim].
        long cache = 2L * 3 * 2 * 16 * 512 * 8 * elementBytes;
        Assert.Equal(cache, manifest.Generation!.DeclaredCacheBytes());
        Assert.Equal(manifest.Files.Sum(f => f.Size) + cache, manifest.ReservedBytes());
    }

    [Fact]
    public void ReservedBytes_DecoderWithoutDeclaredShape_IsItsFiles()
    {
        ModelManifest manifest = ModelCatalog.ReadManifest(Write(TestManifests.ValidGeneration()));

        Assert.Null(manifest.Generation!.DeclaredCacheBytes());
        Assert.Equal(manifest.Files.Sum(f => f.Size), manifest.ReservedBytes());
    }

    [Theory]
    [InlineData("contextLength", "1", "'generation.contextLength' must be between")]
    [InlineData("slots", "0", "'generation.slots' must be between")]
    [InlineData("eosTokenIds", "[]", "'generation.eosTokenIds' must list")]
    [InlineData("bosTokenId", "-1", "'generation.bosTokenId'")]
    [InlineData("chatTemplate", "\"jinja\"", "'generation.chatTemplate' 'jinja' is not a built-in template")]
    [InlineData("layout", "\"merged\"", "'generation.layout' 'merged' is not known")]
    [InlineData("kvDtype", "\"int8\"", "'generation.kvDtype' 'int8' is not known")]
    [InlineData("kvHeads", "0", "'generation.layers', 'kvHeads'")]
    [InlineData("defaults", "{ \"maxTokens\": 512 }", "'generation.defaults.maxTokens' must be")]
    [InlineData("defaults", "{ \"temperature\": 3 }", "'generation.defaults.temperature'")]
    [InlineData("unknown", "1", "invalid manifest")]
    public void ReadManifest_InvalidGenerationField_ThrowsNamingIt(string field, string json, string problem)
    {
        JsonObject manifest = TestManifests.ValidGeneration();
        manifest["generation"]![field] = JsonNode.Parse(json);
        string path = Write(manifest);

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(path));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadManifest_GenerationWithoutGenerationObject_SaysWhatIsMissing()
    {
        JsonObject manifest = TestManifests.ValidGeneration();
        manifest.Remove("generation");

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(Write(manifest)));

        Assert.Contains("needs a 'generation' object", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadManifest_GenerationWithWordPieceTokenizer_IsRefused()
    {
        JsonObject manifest = TestManifests.ValidGeneration();
        manifest["tokenizer"] = new JsonObject { ["kind"] = "bert-wordpiece" };

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(Write(manifest)));

        Assert.Contains("'tokenizer.kind' 'bert-wordpiece' is not supported for text generation", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadManifest_GenerationWithEmbeddingFields_IsRefused()
    {
        JsonObject manifest = TestManifests.ValidGeneration();
        manifest["dimensions"] = 8;

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(Write(manifest)));

        Assert.Contains("'dimensions'", e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("tokenizer", "'files' must hold exactly one file with role 'tokenizer'")]
    [InlineData("model", "'files' must hold exactly one file with role 'model'")]
    public void ReadManifest_GenerationMissingAFile_NamesTheRole(string role, string problem)
    {
        JsonObject manifest = TestManifests.ValidGeneration();
        JsonArray files = manifest["files"]!.AsArray();
        files.Remove(files.First(f => (string?)f!["role"] == role));

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(Write(manifest)));

        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadManifest_GenerationWithAVocabFile_IsRefused()
    {
        JsonObject manifest = TestManifests.ValidGeneration();
        manifest["files"]!.AsArray().Add(new JsonObject { ["role"] = "vocab", ["name"] = "vocab.txt", ["location"] = "vocab.txt", ["sha256"] = new string('d', 64), ["size"] = 4 });

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(Write(manifest)));

        Assert.Contains("no file with role 'vocab' for a 'text-generation' model", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void ReadManifest_EmbeddingWithGenerationObjectOrWithoutPooling_IsRefused()
    {
        JsonObject withGeneration = TestManifests.Valid();
        withGeneration["generation"] = new JsonObject { ["contextLength"] = 64 };
        JsonObject withoutPooling = TestManifests.Valid();
        withoutPooling.Remove("pooling");

        var generation = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(Write(withGeneration)));
        var pooling = Assert.Throws<ModelCatalogException>(() => ModelCatalog.ReadManifest(Write(withoutPooling)));

        Assert.Contains("'generation' is only for", generation.Message, StringComparison.Ordinal);
        Assert.Contains("'pooling' must be set", pooling.Message, StringComparison.Ordinal);
    }

    private string Write(JsonObject manifest) => Write((string)manifest["id"]!, manifest);
}
