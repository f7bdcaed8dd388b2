using Microsoft.Extensions.DependencyInjection.Extensions;
using System.Text.Json.Nodes;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Models;
using Thaw.Inference.Onnx.Generation;
using Thaw.Testing;

namespace Thaw.Http.Tests.Completions;

/// <summary>
/// A server whose catalog holds a tiny real decoder with a chat template (<see cref="Chat"/>), the same decoder
/// without one (<see cref="TextOnly"/>), and an embedding model, for the completion routes' tests.
/// </summary>
public sealed class CompletionServer : IAsyncLifetime
{
    public const string Chat = "tiny-chat";
    public const string TextOnly = "tiny-text";
    public const int ContextLength = 128;

    /// <summary><c>logit_bias</c> that keeps the random-weight model from ending early: every choice runs to its <c>max_tokens</c>.</summary>
    public static readonly string NoEndOfText = $$"""{"{{TinyDecoderFolder.EndOfText}}": -100}""";

    internal LoopbackServer Server { get; private set; } = null!;

    public HttpClient Client => Server.Client;

    public async Task InitializeAsync()
    {
        Server = await StartAsync(new() { ["Thaw:Models:Prewarm:0"] = Chat });
        await Server.App.Services.GetRequiredService<ModelHost>().LoadAsync(Chat);
    }

    public async Task DisposeAsync() => await Server.DisposeAsync();

    /// <summary>
    /// A server over a fresh catalog of the three models; <paramref name="configure"/> adjusts its services, and
    /// <paramref name="jobListener"/> runs batch jobs (with <see cref="BatchJobs.Settings"/>).
    /// </summary>
    internal static Task<LoopbackServer> StartAsync(
        Dictionary<string, string?> settings, Action<Microsoft.AspNetCore.Builder.WebApplicationBuilder>? configure = null, bool jobListener = false)
    {
        string catalog = TinyDecoderFolder.NewCatalog();
        TinyDecoderFolder.Write(catalog, Chat, DecoderLayout.GroupQueryAttention, Generation(chatTemplate: "plain"));
        TinyDecoderFolder.Write(catalog, TextOnly, DecoderLayout.GroupQueryAttention, Generation(chatTemplate: null));
        return ThawApiServer.StartAsync(settings, catalog, jobListener, configure);
    }

    /// <summary>A server as <see cref="StartAsync(Dictionary{string, string?}, Action{Microsoft.AspNetCore.Builder.WebApplicationBuilder}?, bool)"/> whose decoders step only when <paramref name="stepped"/> lets them.</summary>
    internal static Task<LoopbackServer> StartAsync(Dictionary<string, string?> settings, SteppedDecoderBackend stepped) =>
        StartAsync(settings, builder => builder.Services.Replace(ServiceDescriptor.Singleton<IDecoderBackend>(stepped)));

    /// <summary>What the model itself completes for the prompt: the reference the routes must reproduce.</summary>
    internal static Task<CompletedText> DirectAsync(LoopbackServer server, string model, Func<TextGenerationModel, IReadOnlyList<int>> encode, CompletionSettings settings) =>
        server.App.Services.GetRequiredService<ModelHost>().UseAsync<TextGenerationModel, CompletedText>(model, isRequest: false, async (loaded, token) =>
        {
            using TextCompletion completion = loaded.Start(encode(loaded), settings, cancellationToken: token);
            return await completion.CollectAsync(token);
        });

    internal static Dictionary<int, double> NoEndOfTextBias => new() { [TinyDecoderFolder.EndOfText] = -100 };

    internal static StringContent Json(string json) => new(json, Encoding.UTF8, "application/json");

    private static Action<JsonObject> Generation(string? chatTemplate) => generation =>
    {
        generation["contextLength"] = ContextLength;
        generation["slots"] = 4;
        if (chatTemplate is not null)
        {
            generation["chatTemplate"] = chatTemplate;
        }
    };
}
