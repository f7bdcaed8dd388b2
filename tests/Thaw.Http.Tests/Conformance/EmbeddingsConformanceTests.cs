using System.ClientModel;
using System.Net.Http.Json;
using OpenAI.Embeddings;
using Thaw.Testing;

namespace Thaw.Http.Tests.Conformance;

/// <summary>
/// Embeddings through the official OpenAI .NET SDK with its defaults (it asks for <c>encoding_format: base64</c>): the
/// vectors, order and usage of the float answer on the wire, and Thaw's errors as the SDK's exceptions with Thaw's message.
/// </summary>
[Collection(ThawApiCollection.Name)]
public sealed class EmbeddingsConformanceTests(ThawApiServer server)
{
    [Fact]
    public async Task Sdk_Defaults_GiveTheVectorsOrderAndUsageOfTheFloatAnswer()
    {
        EmbeddingClient client = OpenAiClients.For(server.Client).GetEmbeddingClient(RealModels.MiniLm);
        string[] inputs = ["The cat sat on the mat.", "Café naïve, déjà vu", "Tabs\tand\nnewlines"];

        OpenAIEmbeddingCollection sdk = (await client.GenerateEmbeddingsAsync(inputs)).Value;
        using HttpResponseMessage raw = await server.Client.PostAsJsonAsync("/v1/embeddings", new { model = RealModels.MiniLm, input = inputs, encoding_format = "float" });
        using JsonDocument wire = JsonDocument.Parse(await raw.Content.ReadAsStringAsync());

        Assert.Equal(RealModels.MiniLm, sdk.Model);
        Assert.Equal([0, 1, 2], sdk.Select(e => e.Index));
        for (int i = 0; i < inputs.Length; i++)
        {
            float[] expected = [.. wire.RootElement.GetProperty("data")[i].GetProperty("embedding").EnumerateArray().Select(v => v.GetSingle())];
            float[] actual = sdk[i].ToFloats().ToArray();
            Assert.Equal(384, actual.Length);
            // The same inputs may share a batch with other tests' requests (other padding): equal within float noise.
            Assert.All(expected.Zip(actual), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
        }

        JsonElement usage = wire.RootElement.GetProperty("usage");
        Assert.Equal(usage.GetProperty("prompt_tokens").GetInt32(), sdk.Usage.InputTokenCount);
        Assert.Equal(usage.GetProperty("total_tokens").GetInt32(), sdk.Usage.TotalTokenCount);
    }

    [Fact]
    public async Task Sdk_OneInput_IsTheFirstOfTheBatch()
    {
        EmbeddingClient client = OpenAiClients.For(server.Client).GetEmbeddingClient(RealModels.MiniLm);

        OpenAIEmbedding one = (await client.GenerateEmbeddingAsync("A single sentence.")).Value;
        OpenAIEmbeddingCollection both = (await client.GenerateEmbeddingsAsync(["A single sentence.", "Another one."])).Value;

        Assert.All(one.ToFloats().ToArray().Zip(both[0].ToFloats().ToArray()), pair => Assert.Equal(pair.First, pair.Second, 1e-5f));
        Assert.InRange(one.ToFloats().ToArray().Sum(v => v * v), 0.9999f, 1.0001f);
    }

    [Fact]
    public async Task Sdk_UnknownModel_Throws404WithThawsMessage()
    {
        EmbeddingClient client = OpenAiClients.For(server.Client).GetEmbeddingClient("text-embedding-9");

        ClientResultException e = await Assert.ThrowsAsync<ClientResultException>(() => client.GenerateEmbeddingAsync("x"));

        Assert.Equal(404, e.Status);
        Assert.Contains("text-embedding-9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Sdk_WrongDimensions400_TooManyInputs413_WithThawsMessage()
    {
        EmbeddingClient client = OpenAiClients.For(server.Client).GetEmbeddingClient(RealModels.MiniLm);

        ClientResultException dimensions = await Assert.ThrowsAsync<ClientResultException>(
            () => client.GenerateEmbeddingAsync("x", new EmbeddingGenerationOptions { Dimensions = 100 }));
        ClientResultException tooMany = await Assert.ThrowsAsync<ClientResultException>(
            () => client.GenerateEmbeddingsAsync([.. Enumerable.Range(0, ThawApiServer.MaxInputs + 1).Select(i => $"input {i}")]));

        Assert.Equal(400, dimensions.Status);
        Assert.Contains("'dimensions' must be 384", dimensions.Message, StringComparison.Ordinal);
        Assert.Equal(413, tooMany.Status);
        Assert.Contains(ThawApiServer.MaxInputs.ToString(System.Globalization.CultureInfo.InvariantCulture), tooMany.Message, StringComparison.Ordinal);
    }
}
