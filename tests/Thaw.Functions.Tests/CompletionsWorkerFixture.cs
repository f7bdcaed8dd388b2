using System.Text.Json.Nodes;
using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Inference.Onnx.Generation;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// A real worker behind the fake Functions host whose catalog holds a tiny real decoder with a chat template
/// (<see cref="Model"/>) beside the embedding model, and the standalone host over the same catalog, whose answers the
/// worker's must equal.
/// </summary>
public sealed class CompletionsWorkerFixture : IAsyncLifetime
{
    public const string Model = "tiny-chat";

    internal FakeFunctionsHost Host { get; private set; } = null!;

    internal LoopbackServer Standalone { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        string catalog = TinyDecoderFolder.NewCatalog();
        TinyDecoderFolder.Write(catalog, Model, DecoderLayout.GroupQueryAttention, generation =>
        {
            generation["contextLength"] = 128;
            generation["slots"] = 4;
            generation["chatTemplate"] = "plain";
        });

        Dictionary<string, string?> worker = WorkerSettings.Default();
        worker["Thaw__Models__CatalogDirectory"] = catalog;
        worker["Thaw__Models__Prewarm__0"] = Model;
        Task<FakeFunctionsHost> host = FakeFunctionsHost.StartAsync(worker);

        Dictionary<string, string?> standalone = RealModels.HostSettings();
        standalone["Thaw:Models:CatalogDirectory"] = catalog;
        standalone["Thaw:Models:Prewarm:0"] = Model;
        Standalone = await StandaloneHost.StartAsync(standalone);
        Host = await host;
    }

    public async Task DisposeAsync()
    {
        await Host.DisposeAsync();
        await Standalone.DisposeAsync();
    }

    /// <summary><paramref name="request"/> for the decoder, with a bias that keeps the random-weight model from ending early.</summary>
    internal static string Body(JsonObject request)
    {
        request["model"] = Model;
        request["logit_bias"] = new JsonObject { [TinyDecoderFolder.EndOfText.ToString(System.Globalization.CultureInfo.InvariantCulture)] = -100 };
        return request.ToJsonString();
    }
}
