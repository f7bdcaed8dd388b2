using System.Globalization;
using System.Text.Json;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Requests;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Http.Generation;

/// <summary>
/// Turns the body of either route into a <see cref="CompletionPlan"/>, refusing before any model is loaded what is
/// malformed, out of range, or would change the output in a way Thaw cannot honour (tools, JSON mode, echo, ...).
/// </summary>
internal static class CompletionRequestReader
{
    /// <exception cref="ApiException">The request is invalid; the error names the field.</exception>
    public static CompletionPlan ReadChat(ChatCompletionRequest request)
    {
        if (IsPresent(request.Tools) && !(request.Tools.ValueKind == JsonValueKind.Array && request.Tools.GetArrayLength() == 0))
        {
            throw Unsupported("tools", "'tools' is not supported: Thaw's models call no tools.");
        }

        if (IsPresent(request.ToolChoice) && !(request.ToolChoice.ValueKind == JsonValueKind.String && request.ToolChoice.GetString() == "none"))
        {
            throw Unsupported("tool_choice", "'tool_choice' is not supported (only 'none'): Thaw's models call no tools.");
        }

        if (IsPresent(request.ResponseFormat) && !IsTextFormat(request.ResponseFormat))
        {
            throw Unsupported("response_format", "'response_format' must be {\"type\": \"text\"}: Thaw does not constrain output to JSON.");
        }

        if (request.TopLogprobs is > 0 && request.Logprobs != true)
        {
            throw new ApiException(ApiError.BadRequest("top_logprobs", "'top_logprobs' needs 'logprobs': true."));
        }

        ChatMessage[] messages = ReadMessages(request.Messages);
        (int? maxTokens, string maxTokensField) = request.MaxCompletionTokens is { } completion
            ? (completion, "max_completion_tokens")
            : (request.MaxTokens, "max_tokens");
        return Plan(request, maxTokens, maxTokensField, request.Logprobs == true, request.TopLogprobs ?? 0, "messages",
            model => model.ChatTemplate is null
                ? throw new ApiException(ApiError.BadRequest("model",
                    $"The model '{model.Id}' has no chat template: send its prompt to /v1/completions, or name a template in its manifest (docs/generation.md).",
                    "model_not_supported"))
                : model.EncodeChat(messages),
            (identity, tokenizer) => new ChatFormat(identity, tokenizer, request.Logprobs == true));
    }

    /// <exception cref="ApiException">The request is invalid; the error names the field.</exception>
    public static CompletionPlan ReadText(CompletionRequest request)
    {
        if (request.Echo == true)
        {
            throw Unsupported("echo", "'echo' is not supported: the answer holds the completion only.");
        }

        if (request.BestOf is > 1)
        {
            throw Unsupported("best_of", "'best_of' above 1 is not supported: use 'n' for several completions.");
        }

        if (!string.IsNullOrEmpty(request.Suffix))
        {
            throw Unsupported("suffix", "'suffix' is not supported: Thaw's models do not fill in the middle.");
        }

        if (request.Logprobs is < 0 or > SamplingParameters.MaxTopLogprobs)
        {
            throw new ApiException(ApiError.BadRequest("logprobs", $"'logprobs' must be between 0 and {SamplingParameters.MaxTopLogprobs}; it is {request.Logprobs}."));
        }

        string prompt = ReadPrompt(request.Prompt);
        return Plan(request, request.MaxTokens, "max_tokens", request.Logprobs is not null, request.Logprobs ?? 0, "prompt",
            model => model.EncodePrompt(prompt),
            (identity, tokenizer) => new TextFormat(identity, tokenizer, request.Logprobs is not null, request.N ?? 1));
    }

    private static CompletionPlan Plan(
        TextGenerationRequest request,
        int? maxTokens,
        string maxTokensField,
        bool logprobs,
        int topLogprobs,
        string promptField,
        Func<TextGenerationModel, IReadOnlyList<int>> encode,
        Func<CompletionIdentity, ITextTokenizer, ICompletionFormat> format)
    {
        if (string.IsNullOrEmpty(request.Model))
        {
            throw new ApiException(ApiError.BadRequest("model", "'model' is required: the id of a text-generation model (see GET /v1/models).", "missing_required_parameter"));
        }

        if (maxTokens is < 1)
        {
            throw new ApiException(ApiError.BadRequest(maxTokensField, $"'{maxTokensField}' must be at least 1; it is {maxTokens}."));
        }

        var plan = new CompletionPlan
        {
            ModelId = request.Model,
            PromptField = promptField,
            Encode = encode,
            CreateFormat = format,
            MaxTokens = maxTokens,
            Choices = request.N ?? 1,
            Temperature = request.Temperature,
            TopP = request.TopP,
            TopK = request.TopK ?? 0,
            Seed = request.Seed,
            PresencePenalty = request.PresencePenalty ?? 0,
            FrequencyPenalty = request.FrequencyPenalty ?? 0,
            LogitBias = ReadLogitBias(request.LogitBias),
            Stop = ReadStop(request.Stop),
            Logprobs = logprobs,
            TopLogprobs = topLogprobs,
            Stream = request.Stream == true,
            IncludeUsage = request.StreamOptions?.IncludeUsage == true,
        };

        // Every range a model does not decide, before any model is loaded for a request that can only fail.
        // The token ids of logit_bias are checked against the model's vocabulary once it is loaded.
        CheckSettings(plan, vocabSize: int.MaxValue);
        return plan;
    }

    /// <summary>Runs <see cref="CompletionSettings.Validate"/>, answering 400 with the field it names.</summary>
    /// <exception cref="ApiException">A field is out of range.</exception>
    public static void CheckSettings(CompletionPlan plan, int vocabSize, CompletionSettings? settings = null)
    {
        try
        {
            (settings ?? plan.RequestSettings()).Validate(vocabSize);
        }
        catch (ArgumentException e) when (e.ParamName is not null)
        {
            throw BadSetting(e);
        }
    }

    /// <summary>A 400 naming the OpenAI field that the core's <paramref name="e"/> names as its parameter.</summary>
    public static ApiException BadSetting(ArgumentException e) =>
        // The core's message starts with the field's name; the exception appends "(Parameter 'x')".
        new(ApiError.BadRequest(e.ParamName, e.Message.Split(" (Parameter", 2)[0]));

    private static ChatMessage[] ReadMessages(JsonElement messages)
    {
        if (!IsPresent(messages))
        {
            throw new ApiException(ApiError.BadRequest("messages", "'messages' is required: an array of {role, content}.", "missing_required_parameter"));
        }

        if (messages.ValueKind != JsonValueKind.Array)
        {
            throw new ApiException(ApiError.BadRequest("messages", $"'messages' must be an array, not {Kind(messages)}."));
        }

        if (messages.GetArrayLength() == 0)
        {
            throw new ApiException(ApiError.BadRequest("messages", "'messages' must hold at least one message."));
        }

        var read = new ChatMessage[messages.GetArrayLength()];
        int i = 0;
        foreach (JsonElement message in messages.EnumerateArray())
        {
            string at = $"messages[{i}]";
            if (message.ValueKind != JsonValueKind.Object)
            {
                throw new ApiException(ApiError.BadRequest(at, $"'{at}' must be an object with 'role' and 'content', not {Kind(message)}."));
            }

            string role = message.TryGetProperty("role", out JsonElement r) && r.ValueKind == JsonValueKind.String
                ? r.GetString()!
                : throw new ApiException(ApiError.BadRequest($"{at}.role", $"'{at}.role' is required: 'system', 'user' or 'assistant'."));
            message.TryGetProperty("content", out JsonElement content);
            read[i++] = content.ValueKind switch
            {
                JsonValueKind.String => ChatMessage.FromText(role, Text(content, $"{at}.content")),
                JsonValueKind.Array => new ChatMessage(role, ReadParts(content, $"{at}.content")),
                _ => throw new ApiException(ApiError.BadRequest($"{at}.content",
                    $"'{at}.content' must be a string or an array of text parts, not {Kind(content)} (tool calls are not supported).")),
            };
        }

        return read;
    }

    private static ChatContentPart[] ReadParts(JsonElement content, string at)
    {
        var parts = new ChatContentPart[content.GetArrayLength()];
        int j = 0;
        foreach (JsonElement part in content.EnumerateArray())
        {
            string partAt = $"{at}[{j}]";
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out JsonElement type) || type.ValueKind != JsonValueKind.String)
            {
                throw new ApiException(ApiError.BadRequest($"{partAt}.type", $"'{partAt}' must be an object with a 'type' ('text')."));
            }

            // A part of another type keeps a null text: the chat template refuses it, naming it.
            string? text = part.TryGetProperty("text", out JsonElement t) && t.ValueKind == JsonValueKind.String ? Text(t, $"{partAt}.text") : null;
            parts[j++] = new ChatContentPart(type.GetString()!, text);
        }

        return parts;
    }

    private static string ReadPrompt(JsonElement prompt)
    {
        switch (prompt.ValueKind)
        {
            case JsonValueKind.String:
                return Text(prompt, "prompt");
            case JsonValueKind.Array when prompt.GetArrayLength() == 1 && prompt[0].ValueKind == JsonValueKind.String:
                return Text(prompt[0], "prompt[0]");
            case JsonValueKind.Array when prompt.GetArrayLength() > 1 && prompt.EnumerateArray().All(p => p.ValueKind == JsonValueKind.String):
                throw new ApiException(ApiError.BadRequest("prompt",
                    $"'prompt' holds {prompt.GetArrayLength()} prompts; Thaw completes one prompt per request: send one request per prompt ('n' gives several completions of one)."));
            case JsonValueKind.Array:
                throw new ApiException(ApiError.BadRequest("prompt", "'prompt' must be a string or an array of one string (token id arrays are not supported)."));
            case JsonValueKind.Undefined or JsonValueKind.Null:
                throw new ApiException(ApiError.BadRequest("prompt", "'prompt' is required: a string.", "missing_required_parameter"));
            default:
                throw new ApiException(ApiError.BadRequest("prompt", $"'prompt' must be a string, not {Kind(prompt)}."));
        }
    }

    private static string[] ReadStop(JsonElement stop) => stop.ValueKind switch
    {
        JsonValueKind.Undefined or JsonValueKind.Null => [],
        JsonValueKind.String => [Text(stop, "stop")],
        JsonValueKind.Array => [.. stop.EnumerateArray().Select((s, i) => s.ValueKind == JsonValueKind.String
            ? Text(s, $"stop[{i}]")
            : throw new ApiException(ApiError.BadRequest($"stop[{i}]", $"'stop[{i}]' must be a string, not {Kind(s)}.")))],
        _ => throw new ApiException(ApiError.BadRequest("stop", $"'stop' must be a string or an array of strings, not {Kind(stop)}.")),
    };

    private static Dictionary<int, double> ReadLogitBias(JsonElement bias)
    {
        var read = new Dictionary<int, double>();
        if (!IsPresent(bias))
        {
            return read;
        }

        if (bias.ValueKind != JsonValueKind.Object)
        {
            throw new ApiException(ApiError.BadRequest("logit_bias", $"'logit_bias' must be an object from token id to bias, not {Kind(bias)}."));
        }

        foreach (JsonProperty entry in bias.EnumerateObject())
        {
            if (!int.TryParse(entry.Name, NumberStyles.None, CultureInfo.InvariantCulture, out int id) || !entry.Value.TryGetDouble(out double value))
            {
                throw new ApiException(ApiError.BadRequest("logit_bias", "'logit_bias' maps token ids (strings of digits) to numbers from -100 to 100."));
            }

            read[id] = value;
        }

        return read;
    }

    private static bool IsTextFormat(JsonElement format) =>
        format.ValueKind == JsonValueKind.Object && format.TryGetProperty("type", out JsonElement type) && type.ValueKind == JsonValueKind.String && type.GetString() == "text";

    private static bool IsPresent(JsonElement element) => element.ValueKind is not (JsonValueKind.Undefined or JsonValueKind.Null);

    private static string Kind(JsonElement element) => element.ValueKind.ToString().ToLowerInvariant();

    private static string Text(JsonElement element, string field) => RequestBody.ReadText(element, field);

    private static ApiException Unsupported(string field, string message) =>
        new(ApiError.BadRequest(field, message, "unsupported_parameter"));
}
