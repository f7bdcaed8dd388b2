using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Models;
using Thaw.Inference.Onnx.Generation;
using Thaw.Testing;

namespace Thaw.Azure.Tests.Requests;

/// <summary>
/// Request-queue messages that name a <c>url</c>: completions answered by the standalone host's listener on real
/// Azurite queues with the tiny real decoder, as the route answers them; a url no handler serves poisoned.
/// </summary>
public sealed class QueuedCompletionsTests(Azurite azurite) : IClassFixture<Azurite>
{
    private const string Model = "tiny-chat";
    private readonly string _suffix = Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Listener_AnswersCompletionUrls_RefusesAStream_AndPoisonsAnUrlNoHandlerServes()
    {
        QueueClient requests = RequestListenerHost.Queue(azurite, $"requests-{_suffix}");
        QueueClient replies = RequestListenerHost.Queue(azurite, $"replies-{_suffix}");
        await requests.CreateIfNotExistsAsync();
        await replies.CreateIfNotExistsAsync();
        object chat = new { model = Model, messages = new[] { new { role = "user", content = "Hello there" } }, max_tokens = 5, temperature = 0 };
        await Send(requests, new { id = "chat", url = "/v1/chat/completions", body = chat, reply_to = new { queue = replies.Name } });
        await Send(requests, new { id = "text", url = "/v1/completions", body = new { model = Model, prompt = "Once upon", max_tokens = 5, temperature = 0 }, reply_to = new { queue = replies.Name } });
        await Send(requests, new { id = "streamed", url = "/v1/completions", body = new { model = Model, prompt = "x", stream = true }, reply_to = new { queue = replies.Name } });
        string unknown = JsonSerializer.Serialize(new { id = "unknown-url", url = "/v1/moderations", body = new { input = "x" }, reply_to = new { queue = replies.Name } });
        await requests.SendMessageAsync(unknown);

        using IHost host = RequestListenerHost.Build(azurite, _suffix,
        [
            ("Thaw:Models:CatalogDirectory", Catalog()),
            ("Thaw:Requests:ReplyQueues:0", replies.Name),
        ]);
        await host.StartAsync();
        try
        {
            Dictionary<string, JsonElement> answers = await RequestListenerHost.CollectAsync(replies, 3);
            ModelHost models = host.Services.GetRequiredService<ModelHost>();
            var greedy = new CompletionSettings { MaxTokens = 5, Sampling = new SamplingParameters { Temperature = 0 } };
            CompletedText chatDirect = await DirectAsync(models, model => model.EncodeChat([ChatMessage.FromText("user", "Hello there")]), greedy);
            CompletedText textDirect = await DirectAsync(models, model => model.EncodePrompt("Once upon"), greedy);

            Assert.Equal(200, answers["chat"].GetProperty("status_code").GetInt32());
            JsonElement chatBody = answers["chat"].GetProperty("body");
            Assert.Equal("chat.completion", chatBody.GetProperty("object").GetString());
            Assert.Equal(chatDirect.Choices[0].Text, chatBody.GetProperty("choices")[0].GetProperty("message").GetProperty("content").GetString());
            Assert.Equal(chatDirect.Usage.TotalTokens, chatBody.GetProperty("usage").GetProperty("total_tokens").GetInt32());
            Assert.Equal(200, answers["text"].GetProperty("status_code").GetInt32());
            Assert.Equal(textDirect.Choices[0].Text, answers["text"].GetProperty("body").GetProperty("choices")[0].GetProperty("text").GetString());
            Assert.Equal(400, answers["streamed"].GetProperty("status_code").GetInt32());
            Assert.Equal("stream", answers["streamed"].GetProperty("body").GetProperty("error").GetProperty("param").GetString());
            PeekedMessage poisoned = await RequestListenerHost.PeekOneAsync(RequestListenerHost.Queue(azurite, $"requests-{_suffix}-poison"));
            Assert.Equal(unknown, poisoned.Body.ToString());
            await host.StopAsync();
            Assert.Equal(0, (await requests.GetPropertiesAsync()).Value.ApproximateMessagesCount);
        }
        finally
        {
            await host.StopAsync();
        }
    }

    /// <summary>A catalog of the tiny decoder (with a chat template) and the embedding model the queue serves by default.</summary>
    private static string Catalog()
    {
        string catalog = TinyDecoderFolder.NewCatalog();
        TinyDecoderFolder.Write(catalog, Model, DecoderLayout.GroupQueryAttention, generation => generation["chatTemplate"] = "plain");
        return catalog;
    }

    private static Task<CompletedText> DirectAsync(ModelHost models, Func<TextGenerationModel, IReadOnlyList<int>> encode, CompletionSettings settings) =>
        models.UseAsync<TextGenerationModel, CompletedText>(Model, isRequest: false, async (model, token) =>
        {
            using TextCompletion completion = model.Start(encode(model), settings, cancellationToken: token);
            return await completion.CollectAsync(token);
        });

    private static Task Send(QueueClient queue, object message) => queue.SendMessageAsync(JsonSerializer.Serialize(message));
}
