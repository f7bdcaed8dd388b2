using System.ClientModel;
using OpenAI.Models;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests.Conformance;

/// <summary>The Models API through the official OpenAI .NET SDK: list and retrieve, with Thaw's state fields on the wire.</summary>
[Collection(ThawApiCollection.Name)]
public sealed class ModelsConformanceTests(ThawApiServer server)
{
    [Fact]
    public async Task GetModel_KnownId_IsTheListsObjectWithThePublicationDate()
    {
        OpenAIModelClient client = OpenAiClients.For(server.Client).GetOpenAIModelClient();

        OpenAIModel model = (await client.GetModelAsync(RealModels.MiniLm)).Value;
        OpenAIModel listed = (await client.GetModelsAsync()).Value.Single(m => m.Id == RealModels.MiniLm);

        Assert.Equal(RealModels.MiniLm, model.Id);
        Assert.Equal("thaw", model.OwnedBy);
        ModelManifest manifest = server.Server.App.Services.GetRequiredService<ModelHost>().Catalog.Get(RealModels.MiniLm);
        Assert.Equal(new DateTimeOffset(manifest.Published!.Value, TimeOnly.MinValue, TimeSpan.Zero), model.CreatedAt);
        Assert.True(model.CreatedAt.Year >= 2021, $"created {model.CreatedAt}");
        Assert.Equal(listed.CreatedAt, model.CreatedAt);
    }

    [Fact]
    public async Task GetModel_OnTheWire_CarriesTheSameStateFieldsAsTheList()
    {
        using JsonDocument one = JsonDocument.Parse(await server.Client.GetStringAsync($"/v1/models/{RealModels.ArcticXs}"));
        using JsonDocument list = JsonDocument.Parse(await server.Client.GetStringAsync("/v1/models"));

        JsonElement listed = list.RootElement.GetProperty("data").EnumerateArray().Single(m => m.GetProperty("id").GetString() == RealModels.ArcticXs);
        Assert.Equal(listed.EnumerateObject().Select(p => p.Name), one.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal("model", one.RootElement.GetProperty("object").GetString());
        Assert.Equal(new DateTimeOffset(2024, 4, 16, 0, 0, 0, TimeSpan.Zero).ToUnixTimeSeconds(), one.RootElement.GetProperty("created").GetInt64());
        Assert.Equal(listed.GetProperty("created").GetInt64(), one.RootElement.GetProperty("created").GetInt64());
        Assert.Equal(listed.GetProperty("task").GetString(), one.RootElement.GetProperty("task").GetString());
        Assert.False(one.RootElement.GetProperty("default").GetBoolean());
    }

    [Fact]
    public async Task GetModel_UnknownId_IsA404TheSdkThrowsWithThawsMessage()
    {
        OpenAIModelClient client = OpenAiClients.For(server.Client).GetOpenAIModelClient();

        ClientResultException e = await Assert.ThrowsAsync<ClientResultException>(() => client.GetModelAsync("gpt-17"));

        Assert.Equal(404, e.Status);
        Assert.Contains("gpt-17", e.Message, StringComparison.Ordinal);
        using HttpResponseMessage raw = await server.Client.GetAsync("/v1/models/gpt-17");
        using JsonDocument body = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());
        Assert.Equal("model_not_found", body.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.Equal("model", body.RootElement.GetProperty("error").GetProperty("param").GetString());
        Assert.Equal("false", Assert.Single(raw.Headers.GetValues("x-should-retry")));
    }
}
