using System.Text;
using System.Text.Json;

namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// Reads the parts of Hugging Face's <c>tokenizer.json</c> that byte-level BPE models use. Anything else is refused
/// with a message naming the field, rather than tokenizing differently from the model's own tokenizer.
/// </summary>
internal static class TokenizerJsonReader
{
    public static ByteLevelBpeDefinition Read(Stream tokenizerJson, Stream? tokenizerConfigJson)
    {
        using JsonDocument document = Parse(tokenizerJson, "tokenizer.json");
        JsonElement root = document.RootElement;
        if (!root.TryGetProperty("model", out JsonElement model) || model.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("'model' is missing.");
        }

        string modelType = OptionalString(model, "type") ?? "BPE";
        if (modelType != "BPE")
        {
            throw Invalid($"model.type '{modelType}' is not supported (byte-level BPE only; SentencePiece models load from tokenizer.model).");
        }

        RefuseNonEmpty(model, "continuing_subword_prefix");
        RefuseNonEmpty(model, "end_of_word_suffix");
        if (model.TryGetProperty("dropout", out JsonElement dropout) && dropout.ValueKind == JsonValueKind.Number && dropout.GetDouble() > 0)
        {
            throw Invalid("model.dropout is set: BPE dropout is for training, not inference.");
        }

        var stages = new List<PreTokenizerStage>();
        bool byteLevel = false;
        bool addPrefixSpace = false;
        if (root.TryGetProperty("pre_tokenizer", out JsonElement preTokenizer) && preTokenizer.ValueKind == JsonValueKind.Object)
        {
            ReadPreTokenizer(preTokenizer, stages, ref byteLevel, ref addPrefixSpace);
        }

        if (!byteLevel)
        {
            throw Invalid("pre_tokenizer has no ByteLevel step: this is not a byte-level BPE tokenizer (a SentencePiece model such as Llama 2 loads from tokenizer.model).");
        }

        var prefix = new List<int>();
        var suffix = new List<int>();
        if (root.TryGetProperty("post_processor", out JsonElement postProcessor) && postProcessor.ValueKind == JsonValueKind.Object)
        {
            ReadPostProcessor(postProcessor, prefix, suffix);
        }

        string? bos = null;
        string? eos = null;
        if (tokenizerConfigJson is not null)
        {
            using JsonDocument config = Parse(tokenizerConfigJson, "tokenizer_config.json");
            bos = TokenText(config.RootElement, "bos_token");
            eos = TokenText(config.RootElement, "eos_token");
        }

        return new ByteLevelBpeDefinition(
            ReadVocabulary(model),
            ReadMerges(model),
            model.TryGetProperty("ignore_merges", out JsonElement ignore) && ignore.ValueKind == JsonValueKind.True,
            ReadAddedTokens(root),
            root.TryGetProperty("normalizer", out JsonElement normalizer) ? ReadNormalizer(normalizer) : TextNormalization.None,
            stages,
            addPrefixSpace,
            prefix,
            suffix,
            bos,
            eos);
    }

    private static JsonDocument Parse(Stream stream, string name)
    {
        try
        {
            return JsonDocument.Parse(stream, new JsonDocumentOptions { MaxDepth = 256 });
        }
        catch (JsonException e)
        {
            throw new InvalidDataException($"{name} is not valid JSON: {e.Message}", e);
        }
    }

    private static Dictionary<string, int> ReadVocabulary(JsonElement model)
    {
        if (!model.TryGetProperty("vocab", out JsonElement vocab) || vocab.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("model.vocab is missing or not an object.");
        }

        var result = new Dictionary<string, int>(StringComparer.Ordinal);
        foreach (JsonProperty entry in vocab.EnumerateObject())
        {
            if (entry.Value.ValueKind != JsonValueKind.Number || !entry.Value.TryGetInt32(out int id) || id < 0)
            {
                throw Invalid($"model.vocab entry '{entry.Name}' has no valid id.");
            }

            result[entry.Name] = id;
        }

        return result;
    }

    // Older files write a merge as "a b", newer ones as ["a", "b"] (which allows spaces inside tokens; byte-level
    // tokens never have any, so both become the "a b" form BpeOptions takes).
    private static List<string> ReadMerges(JsonElement model)
    {
        var merges = new List<string>();
        if (!model.TryGetProperty("merges", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            return merges;
        }

        foreach (JsonElement merge in array.EnumerateArray())
        {
            if (merge.ValueKind == JsonValueKind.String)
            {
                string text = merge.GetString()!;
                int space = text.IndexOf(' ', StringComparison.Ordinal);
                if (space <= 0 || space == text.Length - 1 || text.IndexOf(' ', space + 1) >= 0)
                {
                    throw Invalid($"model.merges entry {merges.Count} ('{text}') is not two tokens separated by one space.");
                }

                merges.Add(text);
            }
            else if (merge.ValueKind == JsonValueKind.Array && merge.GetArrayLength() == 2
                && merge[0].ValueKind == JsonValueKind.String && merge[1].ValueKind == JsonValueKind.String)
            {
                string left = merge[0].GetString()!;
                string right = merge[1].GetString()!;
                if (left.Length == 0 || right.Length == 0 || left.Contains(' ', StringComparison.Ordinal) || right.Contains(' ', StringComparison.Ordinal))
                {
                    throw Invalid($"model.merges entry {merges.Count} has an empty token or a token with a space.");
                }

                merges.Add(left + " " + right);
            }
            else
            {
                throw Invalid($"model.merges entry {merges.Count} is neither \"a b\" nor [\"a\", \"b\"].");
            }
        }

        return merges;
    }

    private static List<AddedToken> ReadAddedTokens(JsonElement root)
    {
        var tokens = new List<AddedToken>();
        if (!root.TryGetProperty("added_tokens", out JsonElement array) || array.ValueKind != JsonValueKind.Array)
        {
            return tokens;
        }

        foreach (JsonElement token in array.EnumerateArray())
        {
            string? content = OptionalString(token, "content");
            if (content is null || !token.TryGetProperty("id", out JsonElement id) || !id.TryGetInt32(out int value) || value < 0)
            {
                throw Invalid($"added_tokens entry {tokens.Count} needs a 'content' and a non-negative 'id'.");
            }

            if (Flag(token, "single_word"))
            {
                throw Invalid($"added_tokens entry '{content}' sets single_word, which is not supported.");
            }

            tokens.Add(new AddedToken(value, content, Flag(token, "special"), Flag(token, "lstrip"), Flag(token, "rstrip")));
        }

        return tokens;
    }

    private static TextNormalization ReadNormalizer(JsonElement normalizer)
    {
        if (normalizer.ValueKind == JsonValueKind.Null)
        {
            return TextNormalization.None;
        }

        var forms = new List<NormalizationForm>();
        bool lowercase = false;
        AddNormalizer(normalizer, forms, ref lowercase);
        return new TextNormalization(forms, lowercase);
    }

    private static void AddNormalizer(JsonElement normalizer, List<NormalizationForm> forms, ref bool lowercase)
    {
        string? type = OptionalString(normalizer, "type");
        switch (type)
        {
            case "NFC": forms.Add(NormalizationForm.FormC); break;
            case "NFD": forms.Add(NormalizationForm.FormD); break;
            case "NFKC": forms.Add(NormalizationForm.FormKC); break;
            case "NFKD": forms.Add(NormalizationForm.FormKD); break;
            case "Lowercase": lowercase = true; break;
            case "Sequence":
                foreach (JsonElement inner in Array(normalizer, "normalizers", "normalizer"))
                {
                    AddNormalizer(inner, forms, ref lowercase);
                }

                break;
            default:
                throw Invalid($"normalizer type '{type}' is not supported (NFC, NFD, NFKC, NFKD, Lowercase, Sequence).");
        }
    }

    private static void ReadPreTokenizer(JsonElement preTokenizer, List<PreTokenizerStage> stages, ref bool byteLevel, ref bool addPrefixSpace)
    {
        string? type = OptionalString(preTokenizer, "type");
        switch (type)
        {
            case "Sequence":
                foreach (JsonElement inner in Array(preTokenizer, "pretokenizers", "pre_tokenizer"))
                {
                    ReadPreTokenizer(inner, stages, ref byteLevel, ref addPrefixSpace);
                }

                break;
            case "ByteLevel":
                byteLevel = true;
                // Hugging Face's defaults when the fields are absent: add_prefix_space and use_regex are true.
                addPrefixSpace = FlagOr(preTokenizer, "add_prefix_space", fallback: true);
                if (FlagOr(preTokenizer, "use_regex", fallback: true))
                {
                    stages.Add(RegexSplitStage.Create(RegexSplitStage.Gpt2Pattern, removeMatches: false));
                }

                break;
            case "Split":
                stages.Add(ReadSplit(preTokenizer));
                break;
            case "Digits":
                stages.Add(new DigitsStage(Flag(preTokenizer, "individual_digits")));
                break;
            default:
                throw Invalid($"pre_tokenizer type '{type}' is not supported (ByteLevel, Split, Digits, Sequence).");
        }
    }

    private static RegexSplitStage ReadSplit(JsonElement split)
    {
        if (Flag(split, "invert"))
        {
            throw Invalid("pre_tokenizer Split with invert: true is not supported.");
        }

        string? behavior = OptionalString(split, "behavior");
        bool remove = behavior switch
        {
            "Isolated" => false,
            "Removed" => true,
            _ => throw Invalid($"pre_tokenizer Split behavior '{behavior}' is not supported (Isolated, Removed)."),
        };
        if (!split.TryGetProperty("pattern", out JsonElement pattern) || pattern.ValueKind != JsonValueKind.Object)
        {
            throw Invalid("pre_tokenizer Split has no pattern.");
        }

        if (OptionalString(pattern, "Regex") is { } regex)
        {
            return RegexSplitStage.Create(regex, remove);
        }

        if (OptionalString(pattern, "String") is { } literal)
        {
            return RegexSplitStage.Create(System.Text.RegularExpressions.Regex.Escape(literal), remove);
        }

        throw Invalid("pre_tokenizer Split pattern is neither {\"Regex\": ...} nor {\"String\": ...}.");
    }

    private static void ReadPostProcessor(JsonElement processor, List<int> prefix, List<int> suffix)
    {
        string? type = OptionalString(processor, "type");
        switch (type)
        {
            case "ByteLevel":
                break;
            case "Sequence":
                foreach (JsonElement inner in Array(processor, "processors", "post_processor"))
                {
                    ReadPostProcessor(inner, prefix, suffix);
                }

                break;
            case "TemplateProcessing":
                ReadTemplate(processor, prefix, suffix);
                break;
            default:
                throw Invalid($"post_processor type '{type}' is not supported (ByteLevel, TemplateProcessing, Sequence).");
        }
    }

    // The "single" template: special tokens before the sequence are the prefix (Llama 3's <|begin_of_text|>), after it the suffix.
    private static void ReadTemplate(JsonElement template, List<int> prefix, List<int> suffix)
    {
        if (!template.TryGetProperty("special_tokens", out JsonElement specials) || specials.ValueKind != JsonValueKind.Object)
        {
            specials = default;
        }

        bool seenSequence = false;
        foreach (JsonElement item in Array(template, "single", "post_processor TemplateProcessing"))
        {
            if (item.TryGetProperty("Sequence", out _))
            {
                seenSequence = true;
                continue;
            }

            if (!item.TryGetProperty("SpecialToken", out JsonElement special) || OptionalString(special, "id") is not { } name)
            {
                throw Invalid("post_processor TemplateProcessing 'single' has an item that is neither Sequence nor SpecialToken.");
            }

            if (specials.ValueKind != JsonValueKind.Object || !specials.TryGetProperty(name, out JsonElement entry)
                || !entry.TryGetProperty("ids", out JsonElement ids) || ids.ValueKind != JsonValueKind.Array)
            {
                throw Invalid($"post_processor TemplateProcessing names '{name}' without its ids in special_tokens.");
            }

            foreach (JsonElement id in ids.EnumerateArray())
            {
                (seenSequence ? suffix : prefix).Add(id.GetInt32());
            }
        }
    }

    private static string? TokenText(JsonElement config, string name)
    {
        if (!config.TryGetProperty(name, out JsonElement value))
        {
            return null;
        }

        return value.ValueKind switch
        {
            JsonValueKind.String => value.GetString(),
            JsonValueKind.Object => OptionalString(value, "content"),
            _ => null,
        };
    }

    private static JsonElement.ArrayEnumerator Array(JsonElement element, string property, string owner) =>
        element.TryGetProperty(property, out JsonElement array) && array.ValueKind == JsonValueKind.Array
            ? array.EnumerateArray()
            : throw Invalid($"{owner} of type Sequence has no '{property}' array.");

    private static string? OptionalString(JsonElement element, string property) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    private static bool Flag(JsonElement element, string property) => FlagOr(element, property, fallback: false);

    private static bool FlagOr(JsonElement element, string property, bool fallback) =>
        element.TryGetProperty(property, out JsonElement value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False
            ? value.GetBoolean()
            : fallback;

    private static void RefuseNonEmpty(JsonElement model, string property)
    {
        if (OptionalString(model, property) is { Length: > 0 } value)
        {
            throw Invalid($"model.{property} is '{value}': byte-level BPE with word prefixes or suffixes is not supported.");
        }
    }

    private static InvalidDataException Invalid(string message) => new($"tokenizer.json: {message}");
}
