using System.Runtime.InteropServices;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>POST /v1/embeddings over real HTTP with the real model: the OpenAI response shape.</summary>
[Collection(ThawApiCollection.Name)]
public sealed class EmbeddingsContractTests(ThawApiServer server)
{
    [Fact]
    public async Task Post_SingleString_ReturnsOneUnitVectorInTheOpenAiShape()
    {
        using JsonDocument body = await PostOkAsync("""{"input": "Hello, world!", "model": "all-minilm-l6-v2"}""");
        JsonElement root = body.RootElement;

        Assert.Equal("list", root.GetProperty("object").GetString());
        Assert.Equal("all-minilm-l6-v2", root.GetProperty("model").GetString());
        JsonElement item = Assert.Single(root.GetProperty("data").EnumerateArray());
        Assert.Equal(("embedding", 0), (item.GetProperty("object").GetString(), item.GetProperty("index").GetInt32()));
        float[] vector = Floats(item.GetProperty("embedding"));
        Assert.Equal(384, vector.Length);
        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 4);
        JsonElement usage = root.GetProperty("usage");
        Assert.Equal(6, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(6, usage.GetProperty("total_tokens").GetInt32());
        Assert.Equal(0, usage.GetProperty("truncated_inputs").GetInt32());
    }

    [Fact]
    public async Task Post_Array_KeepsOrderAndIndicesAndMatchesSoloRequests()
    {
        string[] inputs = ["first input", "a second, rather longer input that is padded against", "third"];

        using JsonDocument batch = await PostOkAsync(JsonSerializer.Serialize(new { input = inputs }));

        JsonElement[] data = batch.RootElement.GetProperty("data").EnumerateArray().ToArray();
        Assert.Equal([0, 1, 2], data.Select(d => d.GetProperty("index").GetInt32()));
        for (int i = 0; i < inputs.Length; i++)
        {
            using JsonDocument solo = await PostOkAsync(JsonSerializer.Serialize(new { input = inputs[i] }));
            float[] alone = Floats(solo.RootElement.GetProperty("data")[0].GetProperty("embedding"));
            float[] together = Floats(data[i].GetProperty("embedding"));
            Assert.True(alone.Zip(together, (a, b) => Math.Abs(a - b)).Max() < 1e-5, $"input {i} differs between batch and solo");
        }
    }

    [Fact]
    public async Task Post_Base64_DecodesToTheSameFloats()
    {
        using JsonDocument asFloats = await PostOkAsync("""{"input": "base64 please"}""");
        using JsonDocument asBase64 = await PostOkAsync("""{"input": "base64 please", "encoding_format": "base64"}""");

        byte[] bytes = Convert.FromBase64String(asBase64.RootElement.GetProperty("data")[0].GetProperty("embedding").GetString()!);
        float[] decoded = MemoryMarshal.Cast<byte, float>(bytes).ToArray();

        Assert.Equal(Floats(asFloats.RootElement.GetProperty("data")[0].GetProperty("embedding")), decoded);
    }

    [Fact]
    public async Task Post_NoModel_UsesTheDefaultModel()
    {
        using JsonDocument body = await PostOkAsync("""{"input": "which model?"}""");

        Assert.Equal(RealModels.MiniLm, body.RootElement.GetProperty("model").GetString());
    }

    [Fact]
    public async Task Post_InputLongerThanTheModel_IsTruncatedAndReportedInUsage()
    {
        string text = string.Join(' ', Enumerable.Repeat("word", 300));

        using JsonDocument body = await PostOkAsync(JsonSerializer.Serialize(new { input = new[] { text, "short" } }));

        JsonElement usage = body.RootElement.GetProperty("usage");
        Assert.Equal(256 + 3, usage.GetProperty("prompt_tokens").GetInt32());
        Assert.Equal(1, usage.GetProperty("truncated_inputs").GetInt32());
    }

    [Fact]
    public async Task Post_DimensionsEqualToTheModels_IsAccepted()
    {
        using JsonDocument body = await PostOkAsync("""{"input": "x", "dimensions": 384, "user": "someone"}""");

        Assert.Equal(384, body.RootElement.GetProperty("data")[0].GetProperty("embedding").GetArrayLength());
    }

    [Fact]
    public async Task Post_NeverLogsThePayload()
    {
        const string Secret = "zebra-payload-7f3a";

        using HttpResponseMessage ok = await server.Client.PostAsync("/v1/embeddings", Json($$"""{"input": "{{Secret}}"}"""));
        using HttpResponseMessage bad = await server.Client.PostAsync("/v1/embeddings", Json($$"""{"input": ["{{Secret}}", 5]}"""));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.BadRequest), (ok.StatusCode, bad.StatusCode));
        Assert.DoesNotContain(server.LogMessages, m => m.Contains(Secret, StringComparison.Ordinal));
    }

    internal static StringContent Json(string body) => new(body, Encoding.UTF8, "application/json");

    private static float[] Floats(JsonElement array) => array.EnumerateArray().Select(e => e.GetSingle()).ToArray();

    private async Task<JsonDocument> PostOkAsync(string body)
    {
        using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", Json(body));
        string text = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}");
        Assert.Equal("application/json", response.Content.Headers.ContentType?.MediaType);
        return JsonDocument.Parse(text);
    }
}
