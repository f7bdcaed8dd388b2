using System.Globalization;
using System.Text.Json;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Onnx.Generation;

namespace Thaw.Cli.ModelImport;

/// <summary>
/// Reads an exported decoder folder as Hugging Face optimum or onnxruntime-genai's model builder writes it:
/// <c>config.json</c> and/or <c>genai_config.json</c> for the shape and special tokens, <c>generation_config.json</c>
/// for sampling defaults, <c>tokenizer_config.json</c> for the chat template, <c>tokenizer.json</c> or
/// <c>tokenizer.model</c>, and <c>model.onnx</c> with its external weights.
/// </summary>
internal static class DecoderFolder
{
    /// <summary>The context a manifest gets when the user does not choose: KV memory grows with it, and a model's
    /// full window (32768, 131072) would reserve gigabytes per slot.</summary>
    public const int DefaultContextCap = 4096;

    private static readonly string[] EncoderTypes = ["bert", "distilbert", "roberta", "xlm-roberta", "mpnet", "electra", "nomic_bert", "modernbert"];

    private static readonly string[] LegacyFiles = ["decoder_model_merged.onnx", "decoder_with_past_model.onnx", "decoder_model.onnx"];

    /// <exception cref="ModelFolderException">A file or field is missing or the files disagree; the message names them.</exception>
    public static DecoderImport Read(string folder, AddModelSettings settings)
    {
        FolderJson? config = FolderJson.Read(folder, "config.json");
        FolderJson? genai = FolderJson.Read(folder, "genai_config.json");
        FolderJson? generationConfig = FolderJson.Read(folder, "generation_config.json");
        FolderJson? tokenizerConfig = FolderJson.Read(folder, "tokenizer_config.json");
        if (config is null && genai is null)
        {
            throw new ModelFolderException($"'{folder}' has no config.json (nor genai_config.json): the model's shape and special tokens are read from it.");
        }

        string? modelType = genai?.String("model.type") ?? config?.String("model_type");
        if (modelType is not null && EncoderTypes.Contains(modelType))
        {
            throw new ModelFolderException(
                $"'{folder}' holds an encoder (config.json 'model_type' '{modelType}'): 'thaw models add' registers decoders only so far; " +
                "write an embedding model's manifest by hand (docs/models.md).");
        }

        var notes = new List<string>();
        var files = new List<ImportedFile>();
        string modelFile = ModelFile(folder, genai);
        files.Add(new ImportedFile("model", modelFile));
        if (ExternalData(folder, modelFile) is { } data)
        {
            files.Add(new ImportedFile("modelData", data));
        }

        (string tokenizerKind, string tokenizerFile) = Tokenizer(folder);
        files.Add(new ImportedFile("tokenizer", tokenizerFile));
        if (tokenizerConfig is not null)
        {
            files.Add(new ImportedFile("tokenizerConfig", tokenizerConfig.Name));
        }

        // A manifest keeps one generation config, for people and tools; genai_config describes the ONNX export itself.
        if ((genai ?? generationConfig) is { } kept)
        {
            files.Add(new ImportedFile("generationConfig", kept.Name));
        }

        var declaredBy = new Dictionary<string, string>(StringComparer.Ordinal);
        int? Shape(string field, params (FolderJson? File, string Key)[] candidates)
        {
            foreach ((FolderJson? file, string key) in candidates)
            {
                if (file?.Int(key) is { } value)
                {
                    declaredBy[field] = $"{file.Name} '{key}'";
                    return value;
                }
            }

            return null;
        }

        int? layers = Shape("layers", (genai, "model.decoder.num_hidden_layers"), (config, "num_hidden_layers"), (config, "n_layer"));
        int? heads = genai?.Int("model.decoder.num_attention_heads") ?? config?.Int("num_attention_heads") ?? config?.Int("n_head");
        int? hidden = genai?.Int("model.decoder.hidden_size") ?? config?.Int("hidden_size") ?? config?.Int("n_embd");
        int? kvHeads = Shape("kvHeads", (genai, "model.decoder.num_key_value_heads"), (config, "num_key_value_heads"))
            ?? Shape("kvHeads", (genai, "model.decoder.num_attention_heads"), (config, "num_attention_heads"), (config, "n_head"));
        int? headDim = Shape("headDim", (genai, "model.decoder.head_size"), (config, "head_dim"));
        if (headDim is null && heads is > 0 && hidden is > 0)
        {
            headDim = hidden / heads;
            declaredBy["headDim"] = $"{config?.Name ?? genai!.Name} 'hidden_size' / 'num_attention_heads'";
        }

        int? vocab = Shape("vocabSize", (genai, "model.vocab_size"), (config, "vocab_size"));
        int contextLength = ContextLength(settings, config, genai, notes);
        IReadOnlyList<int> eos = [.. genai?.Ints("model.eos_token_id") ?? [], .. generationConfig?.Ints("eos_token_id") ?? [], .. config?.Ints("eos_token_id") ?? []];
        int? bos = genai?.Int("model.bos_token_id") ?? generationConfig?.Int("bos_token_id") ?? config?.Int("bos_token_id");
        int? pad = genai?.Int("model.pad_token_id") ?? generationConfig?.Int("pad_token_id") ?? config?.Int("pad_token_id");

        string? template = ChatTemplate(settings, tokenizerConfig, modelType, notes);
        if (template is not null && ChatTemplateDetector.EndOfTurn(template) is { } endOfTurn)
        {
            // The turn's end must stop generation, or a chat reply runs on into a made-up next turn.
            if (SpecialTokenId(folder, tokenizerConfig, endOfTurn) is { } id)
            {
                eos = [.. eos, id];
            }
            else
            {
                notes.Add($"the '{template}' template ends turns with {endOfTurn}, which neither tokenizer.json nor tokenizer_config.json lists as a token");
            }
        }

        if (eos.Count == 0)
        {
            throw new ModelFolderException(
                $"'{folder}': no EOS token: config.json, generation_config.json and genai_config.json have no 'eos_token_id'.");
        }

        var generation = new GenerationSpec
        {
            ContextLength = contextLength,
            Slots = settings.Slots ?? new GenerationSpec().Slots,
            BosTokenId = bos,
            EosTokenIds = [.. eos.Distinct()],
            PadTokenId = pad,
            ChatTemplate = template,
            Defaults = Defaults(generationConfig ?? genai, contextLength),
            Layers = layers,
            KvHeads = kvHeads,
            HeadDim = headDim,
            VocabSize = vocab,
        };
        return new DecoderImport(modelFile, files, tokenizerKind, generation, declaredBy, modelType, notes);
    }

    private static string ModelFile(string folder, FolderJson? genai)
    {
        string name = genai?.String("model.decoder.filename") ?? "model.onnx";
        if (File.Exists(Path.Combine(folder, name)))
        {
            return name;
        }

        string[] legacy = [.. LegacyFiles.Where(f => File.Exists(Path.Combine(folder, f)))];
        if (legacy.Length > 0)
        {
            throw new ModelFolderException(
                $"'{folder}' holds a legacy decoder export ({string.Join(", ", legacy)}) and no {name}: Thaw runs one decoder graph with a KV cache, " +
                $"not the split or merged pair. {DecoderExportCheck.ReexportAdvice}");
        }

        throw new ModelFolderException($"'{folder}' has no {name}" + (genai?.String("model.decoder.filename") is null ? "." : " (genai_config.json 'model.decoder.filename')."));
    }

    /// <summary>The graph's external weights: optimum writes <c>model.onnx_data</c>, the model builder <c>model.onnx.data</c>.</summary>
    private static string? ExternalData(string folder, string modelFile)
    {
        string[] found = [.. new[] { modelFile + ".data", modelFile + "_data" }.Where(f => File.Exists(Path.Combine(folder, f)))];
        return found.Length switch
        {
            0 => null,
            1 => found[0],
            _ => throw new ModelFolderException($"'{folder}' holds two external data files for {modelFile} ({string.Join(", ", found)}): keep the one the graph names."),
        };
    }

    private static (string Kind, string File) Tokenizer(string folder)
    {
        bool sentencePiece = File.Exists(Path.Combine(folder, "tokenizer.model"));
        string json = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(json))
        {
            // Llama 2 and Mistral ship a tokenizer.json too, a Metaspace one that Thaw's byte-level reader does not
            // handle; their tokenizer.model is the SentencePiece original.
            using FileStream stream = File.OpenRead(json);
            using var document = JsonDocument.Parse(stream);
            bool byteLevel = document.RootElement.TryGetProperty("pre_tokenizer", out JsonElement pre) && pre.GetRawText().Contains("\"ByteLevel\"", StringComparison.Ordinal);
            if (byteLevel)
            {
                return (TokenizerKinds.ByteLevelBpe, "tokenizer.json");
            }

            if (!sentencePiece)
            {
                throw new ModelFolderException($"{json}: its pre-tokenizer is not byte-level (GPT-2 style), the only tokenizer.json Thaw reads; a SentencePiece model needs its tokenizer.model beside it.");
            }
        }

        return sentencePiece
            ? (TokenizerKinds.SentencePiece, "tokenizer.model")
            : throw new ModelFolderException($"'{folder}' has no tokenizer.json (byte-level BPE) nor tokenizer.model (SentencePiece).");
    }

    private static int ContextLength(AddModelSettings settings, FolderJson? config, FolderJson? genai, List<string> notes)
    {
        if (settings.ContextLength is { } chosen)
        {
            return chosen;
        }

        int? window = genai?.Int("model.context_length") ?? config?.Int("max_position_embeddings") ?? config?.Int("n_positions");
        if (window is null)
        {
            throw new ModelFolderException("No context length: config.json has no 'max_position_embeddings' (nor genai_config.json 'model.context_length'): give --context-length.");
        }

        if (window > DefaultContextCap)
        {
            notes.Add(string.Create(CultureInfo.InvariantCulture,
                $"context length {DefaultContextCap} of the model's {window} tokens: each slot reserves KV memory for its whole context (--context-length to change)"));
            return DefaultContextCap;
        }

        return window.Value;
    }

    private static string? ChatTemplate(AddModelSettings settings, FolderJson? tokenizerConfig, string? modelType, List<string> notes)
    {
        if (settings.ChatTemplate is { } chosen)
        {
            return chosen == "none" ? null : chosen;
        }

        string? jinja = ChatTemplateDetector.Read(tokenizerConfig);
        if (jinja is null)
        {
            notes.Add("no chat template: tokenizer_config.json has no 'chat_template', so the model serves completions only (--chat-template NAME for chat)");
            return null;
        }

        string? detected = ChatTemplateDetector.Detect(jinja, modelType);
        if (detected is null)
        {
            notes.Add($"no chat template: tokenizer_config.json's 'chat_template' matches none of the built-in formats ({string.Join(", ", ChatTemplates.Names)}), " +
                "so the model serves completions only (--chat-template NAME if one fits)");
        }

        return detected;
    }

    /// <summary>
    /// Sampling defaults as the exporter gave them (<c>generation_config.json</c>, or genai_config's <c>search</c>);
    /// <c>do_sample: false</c> means greedy, which is temperature 0 here.
    /// </summary>
    private static GenerationDefaults Defaults(FolderJson? source, int contextLength)
    {
        var defaults = new GenerationDefaults { MaxTokens = Math.Min(new GenerationDefaults().MaxTokens, contextLength - 1) };
        if (source is null)
        {
            return defaults;
        }

        string prefix = source.Name == "genai_config.json" ? "search." : "";
        if (source.Bool(prefix + "do_sample") == false)
        {
            defaults.Temperature = 0;
        }
        else if (source.Double(prefix + "temperature") is { } temperature and >= 0 and <= 2)
        {
            defaults.Temperature = (float)temperature;
        }

        if (source.Double(prefix + "top_p") is { } topP and > 0 and <= 1)
        {
            defaults.TopP = (float)topP;
        }

        return defaults;
    }

    /// <summary>The id of a special token by its text, from tokenizer.json's <c>added_tokens</c> or tokenizer_config's <c>added_tokens_decoder</c>.</summary>
    private static int? SpecialTokenId(string folder, FolderJson? tokenizerConfig, string content)
    {
        string json = Path.Combine(folder, "tokenizer.json");
        if (File.Exists(json))
        {
            using FileStream stream = File.OpenRead(json);
            using var document = JsonDocument.Parse(stream);
            if (document.RootElement.TryGetProperty("added_tokens", out JsonElement added) && added.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement token in added.EnumerateArray())
                {
                    if (token.TryGetProperty("content", out JsonElement text) && text.ValueEquals(content) && token.TryGetProperty("id", out JsonElement id))
                    {
                        return id.GetInt32();
                    }
                }
            }
        }

        if (tokenizerConfig?.Find("added_tokens_decoder") is { ValueKind: JsonValueKind.Object } decoder)
        {
            foreach (JsonProperty entry in decoder.EnumerateObject())
            {
                if (entry.Value.ValueKind == JsonValueKind.Object && entry.Value.TryGetProperty("content", out JsonElement text) && text.ValueEquals(content)
                    && int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id))
                {
                    return id;
                }
            }
        }

        return null;
    }
}
