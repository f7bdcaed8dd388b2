using Thaw.Inference.Catalog;
using Thaw.Inference.Onnx.Generation;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

public sealed class ModelsAddCommandTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-models-add-").FullName;

    private string Catalog => Path.Combine(_root, "catalog");

    private string Export => Path.Combine(_root, "My-Export");

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum), "optimum")]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention), "gqa")]
    public async Task Add_ExportedDecoder_WritesAManifestTheCatalogLoadsAndGenerateRuns(string layoutName, string layout)
    {
        TinyDecoderFolder.WriteExported(Export, Enum.Parse<DecoderLayout>(layoutName));

        (int exitCode, string stdout, string stderr) = await AddAsync();

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("my-export", stdout, StringComparison.Ordinal);
        Assert.Contains($"layout         {layout} (float32 KV cache)", stdout, StringComparison.Ordinal);
        Assert.Contains("context        128 tokens x 4 slots", stdout, StringComparison.Ordinal);
        Assert.Contains(Path.Combine(Catalog, "my-export", "model.json"), stdout, StringComparison.Ordinal);
        ModelManifest manifest = ModelCatalog.Load(Catalog, "my-export").Get("my-export");
        Assert.Equal(ModelTask.TextGeneration, manifest.Task);
        Assert.Equal(Export, manifest.Source.Path);
        Assert.Equal([ModelFileRole.Model, ModelFileRole.Tokenizer], manifest.Files.Select(f => f.Role));
        Assert.Equal(new FileInfo(Path.Combine(Export, "model.onnx")).Length, manifest.GetFile(ModelFileRole.Model).Size);
        Assert.Equal(layout, manifest.Generation!.Layout);
        Assert.Equal(2, manifest.Generation.Layers);
        Assert.Equal([TinyDecoderFolder.EndOfText], manifest.Generation.EosTokenIds);
        Assert.Null(manifest.Generation.ChatTemplate);
        Assert.Contains("note: no chat template", stdout, StringComparison.Ordinal);

        (exitCode, _, stderr) = await Thaw.RunAsync(
            ["generate", "--set", $"Thaw:Models:CatalogDirectory={Catalog}", "--set", "Thaw:Models:Default=my-export",
             "-m", "my-export", "--raw", "-t", "0", "--max-tokens", "6", "--usage", "Hello"]);

        Assert.True(exitCode == 0, stderr);
        Assert.Contains("prompt + ", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("num_hidden_layers", 3, "config.json 'num_hidden_layers' says 3, but the graph")]
    [InlineData("num_key_value_heads", 1, "config.json 'num_key_value_heads' says 1, but the graph")]
    [InlineData("vocab_size", 300, "config.json 'vocab_size' says 300, but the graph")]
    public async Task Add_ConfigOfAnotherModel_ExitsWith2NamingTheKeyAndWritesNothing(string key, int value, string message)
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum, c => c[key] = value);

        (int exitCode, string stdout, string stderr) = await AddAsync();

        Assert.Equal(2, exitCode);
        Assert.Equal("", stdout);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
        Assert.False(Directory.Exists(Path.Combine(Catalog, "my-export")));
    }

    [Theory]
    [InlineData("config.json", "has no config.json")]
    [InlineData("tokenizer.json", "has no tokenizer.json (byte-level BPE) nor tokenizer.model")]
    [InlineData("model.onnx", "has no model.onnx")]
    public async Task Add_MissingFile_ExitsWith2NamingIt(string file, string message)
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum);
        File.Delete(Path.Combine(Export, file));

        (int exitCode, _, string stderr) = await AddAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_NoEosAnywhere_ExitsWith2NamingTheField()
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum, c => c.Remove("eos_token_id"));

        (int exitCode, _, string stderr) = await AddAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("no EOS token", stderr, StringComparison.Ordinal);
        Assert.Contains("'eos_token_id'", stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_EncoderFolder_ExitsWith2SayingOnlyDecodersAreSupported()
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum, c => c["model_type"] = "bert");

        (int exitCode, _, string stderr) = await AddAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains("holds an encoder (config.json 'model_type' 'bert')", stderr, StringComparison.Ordinal);
        Assert.Contains("decoders only so far", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("decoder_model_merged.onnx")]
    [InlineData("decoder_with_past_model.onnx")]
    public async Task Add_LegacyExport_ExitsWith2SayingHowToExportAgain(string legacy)
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum);
        File.Move(Path.Combine(Export, "model.onnx"), Path.Combine(Export, legacy));

        (int exitCode, _, string stderr) = await AddAsync();

        Assert.Equal(2, exitCode);
        Assert.Contains($"legacy decoder export ({legacy})", stderr, StringComparison.Ordinal);
        Assert.Contains("optimum-cli export onnx --task text-generation-with-past", stderr, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}{% if not messages %}You are Qwen{% endif %}", "qwen2.5")]
    [InlineData("{% for m in messages %}<|im_start|>{{ m.role }}\n{{ m.content }}<|im_end|>\n{% endfor %}", "smollm2")]
    [InlineData("<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: {{ strftime_now('%d %b %Y') }}", "llama3.2")]
    [InlineData("<|start_header_id|>system<|end_header_id|>\n\nCutting Knowledge Date: December 2023\nToday Date: 26 Jul 2024", "llama3.1")]
    [InlineData("{{ bos_token }}<|start_header_id|>{{ m.role }}<|end_header_id|>", "llama3")]
    [InlineData("{% for m in messages %}<|{{ m.role }}|>\n{{ m.content }}<|end|>\n{% endfor %}<|user|>", "phi3")]
    public async Task Add_TokenizerConfigChatTemplate_PicksTheBuiltInFormat(string jinja, string expected)
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum, chatTemplate: jinja);

        (int exitCode, string stdout, string stderr) = await AddAsync();

        Assert.True(exitCode == 0, stderr);
        Assert.Contains($"chat template  {expected}", stdout, StringComparison.Ordinal);
        ModelManifest manifest = ModelCatalog.ReadManifest(Path.Combine(Catalog, "my-export", "model.json"));
        Assert.Equal(expected, manifest.Generation!.ChatTemplate);
        Assert.Equal(ModelFileRole.TokenizerConfig, manifest.Files[^1].Role);
    }

    [Fact]
    public async Task Add_UnknownChatTemplate_ServesCompletionsOnlyAndSaysSo()
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum, chatTemplate: "[INST] {{ m.content }} [/INST]");

        (int exitCode, string stdout, _) = await AddAsync();

        Assert.Equal(0, exitCode);
        Assert.Contains("matches none of the built-in formats", stdout, StringComparison.Ordinal);
        Assert.Null(ModelCatalog.ReadManifest(Path.Combine(Catalog, "my-export", "model.json")).Generation!.ChatTemplate);
    }

    [Fact]
    public async Task Add_ChatTemplateOption_WinsOverTheFolder()
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum, chatTemplate: "<|im_start|>");

        (int exitCode, _, string stderr) = await AddAsync("--chat-template", "plain");

        Assert.True(exitCode == 0, stderr);
        Assert.Equal("plain", ModelCatalog.ReadManifest(Path.Combine(Catalog, "my-export", "model.json")).Generation!.ChatTemplate);
    }

    [Theory]
    [InlineData("--chat-template", "jinja", "--chat-template: 'jinja' is not a built-in template")]
    [InlineData("--slots", "0", "--slots: 0 is not between 1 and 4096")]
    [InlineData("--context-length", "1", "--context-length: 1 is not between 2 and 1048576")]
    [InlineData("--id", "Big Name", "--id: 'Big Name' is not a model id")]
    public async Task Add_BadOption_ExitsWith2NamingIt(string option, string value, string message)
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum);

        (int exitCode, _, string stderr) = await AddAsync(option, value);

        Assert.Equal(2, exitCode);
        Assert.Contains(message, stderr, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Add_ExistingId_RefusesWithoutForceAndReplacesWithIt()
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum);
        string manifest = Path.Combine(Catalog, "my-export", "model.json");
        Assert.Equal(0, (await AddAsync()).ExitCode);
        string first = File.ReadAllText(manifest);

        (int refused, _, string stderr) = await AddAsync("--slots", "3");

        Assert.Equal(2, refused);
        Assert.Contains("already has a model 'my-export'", stderr, StringComparison.Ordinal);
        Assert.Contains("--force", stderr, StringComparison.Ordinal);
        Assert.Equal(first, File.ReadAllText(manifest));

        (int forced, _, stderr) = await AddAsync("--slots", "3", "--context-length", "96", "--force");

        Assert.True(forced == 0, stderr);
        GenerationSpec generation = ModelCatalog.ReadManifest(manifest).Generation!;
        Assert.Equal((3, 96), (generation.Slots, generation.ContextLength));
    }

    [Fact]
    public async Task Add_GenerationConfigAndModelCard_GiveDefaultsAndLicence()
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.Optimum);
        File.WriteAllText(Path.Combine(Export, "generation_config.json"), """{"temperature": 0.7, "top_p": 0.8, "eos_token_id": [256, 10]}""");
        File.WriteAllText(Path.Combine(Export, "README.md"), "---\nlanguage: en\nlicense: apache-2.0\n---\n# My model\n");

        (int exitCode, _, string stderr) = await AddAsync("--id", "custom");

        Assert.True(exitCode == 0, stderr);
        ModelManifest manifest = ModelCatalog.ReadManifest(Path.Combine(Catalog, "custom", "model.json"));
        Assert.Equal("apache-2.0", manifest.License);
        Assert.Equal([256, 10], manifest.Generation!.EosTokenIds);
        Assert.Equal((0.7f, 0.8f, 127), (manifest.Generation.Defaults.Temperature, manifest.Generation.Defaults.TopP, manifest.Generation.Defaults.MaxTokens));
        Assert.Equal(ModelFileRole.GenerationConfig, manifest.Files[^1].Role);
    }

    [Fact]
    public async Task Add_GenaiConfig_DescribesTheExportOverConfigJson()
    {
        TinyDecoderFolder.WriteExported(Export, DecoderLayout.GroupQueryAttention);
        string genai = """
            {"model": {"type": "llama", "context_length": 100, "eos_token_id": [256], "pad_token_id": 256, "vocab_size": 257,
                       "decoder": {"filename": "model.onnx", "num_hidden_layers": 2, "num_key_value_heads": 2, "head_size": 16}},
             "search": {"do_sample": false, "top_p": 0.9}}
            """;
        File.WriteAllText(Path.Combine(Export, "genai_config.json"), genai);

        (int exitCode, _, string stderr) = await AddAsync();

        Assert.True(exitCode == 0, stderr);
        ModelManifest manifest = ModelCatalog.ReadManifest(Path.Combine(Catalog, "my-export", "model.json"));
        Assert.Equal((100, 256, 0f, 0.9f), (manifest.Generation!.ContextLength, manifest.Generation.PadTokenId, manifest.Generation.Defaults.Temperature, manifest.Generation.Defaults.TopP));
        Assert.Equal("genai_config.json", manifest.GetFile(ModelFileRole.GenerationConfig).Name);

        File.WriteAllText(Path.Combine(Export, "genai_config.json"), genai.Replace("\"num_hidden_layers\": 2", "\"num_hidden_layers\": 5", StringComparison.Ordinal));
        (exitCode, _, stderr) = await AddAsync("--force");

        Assert.Equal(2, exitCode);
        Assert.Contains("genai_config.json 'model.decoder.num_hidden_layers' says 5, but the graph", stderr, StringComparison.Ordinal);
    }

    private Task<(int ExitCode, string Stdout, string Stderr)> AddAsync(params string[] options) =>
        Thaw.RunAsync(["models", "add", Export, "--catalog", Catalog, .. options]);
}
