using System.ClientModel;
using OpenAI.Chat;
using ThawMessage = Thaw.Inference.Generation.Templates.ChatMessage;
using Thaw.Http.Tests.Conformance;
using Thaw.Testing;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;

namespace Thaw.Http.Tests.Completions;

/// <summary><c>/v1/chat/completions</c> through the official OpenAI .NET SDK, checked against the model run directly.</summary>
[Collection(CompletionServerCollection.Name)]
public sealed class ChatCompletionConformanceTests(CompletionServer server)
{
    private readonly ChatClient _client = OpenAiClients.For(server.Client).GetChatClient(CompletionServer.Chat);

    [Fact]
    public async Task CompleteChat_Greedy_IsWhatTheModelGivesForTheSameConversation_WithItsUsage()
    {
        ChatMessage[] conversation = [new SystemChatMessage("Be brief."), new UserChatMessage("Hello there")];

        ChatCompletion answer = (await _client.CompleteChatAsync(conversation, new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 12 })).Value;

        CompletedText direct = await DirectAsync(12, [ThawMessage.FromText("system", "Be brief."), ThawMessage.FromText("user", "Hello there")]);
        Assert.Equal(direct.Choices[0].Text, Assert.Single(answer.Content).Text);
        Assert.Equal(ChatMessageRole.Assistant, answer.Role);
        Assert.StartsWith("chatcmpl-", answer.Id, StringComparison.Ordinal);
        Assert.Equal(CompletionServer.Chat, answer.Model);
        Assert.InRange(answer.CreatedAt, DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddMinutes(1));
        Assert.Equal(direct.Usage.PromptTokens, answer.Usage.InputTokenCount);
        Assert.Equal(direct.Usage.CompletionTokens, answer.Usage.OutputTokenCount);
        Assert.Equal(direct.Usage.TotalTokens, answer.Usage.TotalTokenCount);
        Assert.True(answer.Usage.InputTokenCount > 10, $"prompt tokens {answer.Usage.InputTokenCount}");
    }

    [Fact]
    public async Task CompleteChat_AtMaxTokens_FinishesWithLength()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 5 };
        options.LogitBiases[Thaw.Testing.TinyDecoderFolder.EndOfText] = -100;

        ChatCompletion answer = (await _client.CompleteChatAsync([new UserChatMessage("Count")], options)).Value;

        Assert.Equal(ChatFinishReason.Length, answer.FinishReason);
        Assert.Equal(5, answer.Usage.OutputTokenCount);
    }

    [Fact]
    public async Task CompleteChatStreaming_DeltasConcatenate_ToTheWholeAnswer_AndTheLastUpdateCarriesUsage()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 20 };
        options.LogitBiases[Thaw.Testing.TinyDecoderFolder.EndOfText] = -100;
        ChatMessage[] conversation = [new UserChatMessage("Tell me a story")];
        ChatCompletion whole = (await _client.CompleteChatAsync(conversation, options)).Value;

        ChatStream stream = await ChatStream.ReadAsync(_client.CompleteChatStreamingAsync(conversation, options));

        stream.AssertIsTheWholeAnswerAtItsLength(whole, 20);
    }

    [Fact]
    public async Task CompleteChat_Logprobs_OneEntryPerTokenWithItsBytesAndTheAskedAlternatives()
    {
        var options = new ChatCompletionOptions { Temperature = 0, MaxOutputTokenCount = 6, IncludeLogProbabilities = true, TopLogProbabilityCount = 3 };
        options.LogitBiases[Thaw.Testing.TinyDecoderFolder.EndOfText] = -100;

        ChatCompletion answer = (await _client.CompleteChatAsync([new UserChatMessage("Hi")], options)).Value;

        Assert.Equal(6, answer.ContentTokenLogProbabilities.Count);
        Assert.All(answer.ContentTokenLogProbabilities, t =>
        {
            Assert.Equal(3, t.TopLogProbabilities.Count);
            // Greedy: the sampled token is the most likely one.
            Assert.Equal(t.TopLogProbabilities[0].LogProbability, t.LogProbability);
            Assert.True(t.LogProbability <= 0);
            Assert.NotNull(t.Utf8Bytes);
        });
        byte[] bytes = [.. answer.ContentTokenLogProbabilities.SelectMany(t => t.Utf8Bytes!.Value.ToArray())];
        Assert.Equal(answer.Content[0].Text, Encoding.UTF8.GetString(bytes));
    }

    [Fact]
    public async Task CompleteChat_UnknownModel_IsAClientResultExceptionWith404AndThawsMessage()
    {
        ChatClient unknown = OpenAiClients.For(server.Client).GetChatClient("no-such-model");

        ClientResultException e = await Assert.ThrowsAsync<ClientResultException>(() => unknown.CompleteChatAsync([new UserChatMessage("Hi")]));

        Assert.Equal(404, e.Status);
        Assert.Contains("no-such-model", e.Message, StringComparison.Ordinal);
        Assert.Contains("model_not_found", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChatStreaming_BadTemperature_IsAClientResultExceptionWith400NamingTheField()
    {
        ClientResultException e = await Assert.ThrowsAsync<ClientResultException>(async () =>
        {
            await foreach (StreamingChatCompletionUpdate _ in _client.CompleteChatStreamingAsync([new UserChatMessage("Hi")], new ChatCompletionOptions { Temperature = 3 }))
            {
            }
        });

        Assert.Equal(400, e.Status);
        Assert.Contains("'temperature' must be between 0 and 2", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CompleteChat_EmbeddingModel_Is400NamingItsTask()
    {
        ChatClient embedder = OpenAiClients.For(server.Client).GetChatClient(Thaw.Testing.RealModels.MiniLm);

        ClientResultException e = await Assert.ThrowsAsync<ClientResultException>(() => embedder.CompleteChatAsync([new UserChatMessage("Hi")]));

        Assert.Equal(400, e.Status);
        Assert.Contains("is an embedding model", e.Message, StringComparison.Ordinal);
    }

    private Task<CompletedText> DirectAsync(int maxTokens, ThawMessage[] messages) =>
        CompletionServer.DirectAsync(server.Server, CompletionServer.Chat, model => model.EncodeChat(messages),
            new CompletionSettings { MaxTokens = maxTokens, Sampling = new SamplingParameters { Temperature = 0 } });
}
