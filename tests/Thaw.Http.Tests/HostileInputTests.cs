using System.Net.Http.Json;
using System.Text.Json.Nodes;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Models;
using Thaw.Testing;

namespace Thaw.Http.Tests;

/// <summary>Input no client should send: broken encodings, random shapes, clients that hang up.</summary>
[Collection(ThawApiCollection.Name)]
public sealed class HostileInputTests(ThawApiServer server)
{
    [Theory]
    [InlineData(new byte[] { 0x7B, 0x22, 0x69, 0x6E, 0x70, 0x75, 0x74, 0x22, 0x3A, 0x22, 0xFF, 0xFE, 0x22, 0x7D })] // {"input":"\xFF\xFE"}
    [InlineData(new byte[] { 0x7B, 0x22, 0x69, 0x6E, 0x70, 0x75, 0x74, 0x22, 0x3A, 0x5B, 0x22, 0xC3, 0x22, 0x5D, 0x7D })] // {"input":["\xC3"]}
    [InlineData(new byte[] { 0xC0, 0xAF })]
    public async Task Post_MalformedUtf8_Answers400(byte[] body)
    {
        using var content = new ByteArrayContent(body);

        using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", content);

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        Assert.Contains("invalid_json", await response.Content.ReadAsStringAsync(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task Post_BodyWithAByteOrderMark_IsAccepted()
    {
        using var content = new ByteArrayContent([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("""{"input": "bom"}""")]);

        using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", content);

        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
    }

    [Theory]
    [InlineData("""{"input": "half \ud800 pair"}""", "input")]
    [InlineData("""{"input": ["ok", "\udc00"]}""", "input[1]")]
    public async Task Post_EscapedLoneSurrogate_Answers400NamingTheInput(string body, string param)
    {
        using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", EmbeddingsContractTests.Json(body));

        Assert.Equal(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument error = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(param, error.RootElement.GetProperty("error").GetProperty("param").GetString());
    }

    [Fact]
    public async Task Fuzz_RandomBodies_GetOnly2xxOr4xxAndTheServerStaysUp()
    {
        var random = new Random(20261130);
        var statuses = new List<int>();
        for (int i = 0; i < 300; i++)
        {
            byte[] body = i % 5 == 4 ? RandomBytes(random) : Encoding.UTF8.GetBytes(RandomRequest(random).ToJsonString());
            using var content = new ByteArrayContent(body);
            using HttpResponseMessage response = await server.Client.PostAsync("/v1/embeddings", content);
            statuses.Add((int)response.StatusCode);
            Assert.True((int)response.StatusCode < 500, $"body #{i} ({Encoding.UTF8.GetString(body)}) got {(int)response.StatusCode}");
        }

        Assert.Contains(200, statuses);
        Assert.Contains(400, statuses);
        Assert.Equal("ok", await server.Client.GetStringAsync("/healthz"));
    }

    [Fact]
    public async Task ClientHangsUp_ItsQueuedWorkIsDroppedAndOthersAreServed()
    {
        await using LoopbackServer busy = await ThawApiServer.StartAsync(new());
        ModelHost models = busy.App.Services.GetRequiredService<ModelHost>();
        await models.LoadAsync(RealModels.MiniLm);
        string[] slow = Enumerable.Range(0, ThawApiServer.MaxInputs).Select(i => string.Join(' ', Enumerable.Repeat($"busy input {i}", 40))).ToArray();
        Task<HttpResponseMessage>[] others = Enumerable.Range(0, 6).Select(_ => busy.Client.PostAsJsonAsync("/v1/embeddings", new { input = slow })).ToArray();
        await Eventually.WaitUntilAsync(() => models.GetStatus(RealModels.MiniLm).Activity is EmbeddingActivity { Interactive.Queued: > 0 });

        using var hangUp = new CancellationTokenSource();
        Task<HttpResponseMessage> abandoned = busy.Client.PostAsJsonAsync("/v1/embeddings", new { input = slow }, hangUp.Token);
        await Eventually.WaitUntilAsync(() => models.GetStatus(RealModels.MiniLm).Activity is EmbeddingActivity { Interactive: var s } && s.Inputs + s.Queued >= 7 * slow.Length);
        await hangUp.CancelAsync();

        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => abandoned);
        Assert.All(await Task.WhenAll(others), r => Assert.Equal(HttpStatusCode.OK, r.StatusCode));
        await Eventually.WaitUntilAsync(() => models.GetStatus(RealModels.MiniLm).Activity is EmbeddingActivity { Interactive.Dropped: var dropped } && dropped == slow.Length);
    }

    private static JsonNode? RandomValue(Random random, int depth) => random.Next(depth > 2 ? 6 : 8) switch
    {
        0 => null,
        1 => JsonValue.Create(random.Next(-5, 5000)),
        2 => JsonValue.Create(random.NextDouble() * 1e6),
        3 => JsonValue.Create(random.Next(2) == 0),
        4 => JsonValue.Create(RandomText(random)),
        5 => JsonValue.Create(new string('x', random.Next(0, ThawApiServer.MaxInputChars + 50))),
        6 => new JsonArray(Enumerable.Range(0, random.Next(0, ThawApiServer.MaxInputs + 3)).Select(_ => RandomValue(random, depth + 1)).ToArray()),
        _ => new JsonObject(Enumerable.Range(0, random.Next(0, 4)).Select(k => KeyValuePair.Create($"k{k}", RandomValue(random, depth + 1)))),
    };

    private static JsonObject RandomRequest(Random random)
    {
        var request = new JsonObject();
        string[] fields = ["input", "model", "encoding_format", "dimensions", "user", "input_type", "extra"];
        foreach (string field in fields.Where(_ => random.Next(3) > 0))
        {
            request[field] = random.Next(4) == 0 ? RandomValue(random, 0) : field switch
            {
                "input" => random.Next(2) == 0 ? JsonValue.Create(RandomText(random)) : new JsonArray(Enumerable.Range(0, random.Next(0, 4)).Select(_ => (JsonNode?)JsonValue.Create(RandomText(random))).ToArray()),
                "model" => JsonValue.Create(random.Next(3) == 0 ? "nope" : RealModels.MiniLm),
                "encoding_format" => JsonValue.Create(random.Next(3) == 0 ? "hex" : "base64"),
                "dimensions" => JsonValue.Create(random.Next(2) == 0 ? 384 : random.Next(-1, 1000)),
                "input_type" => JsonValue.Create(random.Next(3) == 0 ? "sideways" : "query"),
                _ => RandomValue(random, 0),
            };
        }

        return request;
    }

    // Any UTF-16 code unit, lone surrogates included (serialized as \uXXXX escapes).
    private static string RandomText(Random random) =>
        new(Enumerable.Range(0, random.Next(0, 40)).Select(_ => (char)random.Next(1, 0xFFFF)).ToArray());

    private static byte[] RandomBytes(Random random)
    {
        byte[] bytes = new byte[random.Next(0, 200)];
        random.NextBytes(bytes);
        return bytes;
    }
}
