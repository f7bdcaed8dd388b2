using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Sources;
using Thaw.Inference.Tokenization;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Embeddings;

public sealed class EmbeddingModelTests : IAsyncLifetime
{
    private EmbeddingTokenizer _tokenizer = null!;
    private ModelManifest _manifest = null!;

    public async Task InitializeAsync()
    {
        ModelFiles files = await RealModels.EnsureFilesAsync(RealModels.MiniLm);
        _manifest = RealModels.LoadCatalog().Get(RealModels.MiniLm) with { Dimensions = 2, Normalize = false };
        _tokenizer = EmbeddingTokenizer.Create(files.VocabPath, _manifest.Tokenizer);
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static BatchingOptions Batching(int maxBatchSize, int maxBatchTokens) =>
        new() { MaxBatchSize = maxBatchSize, MaxBatchTokens = maxBatchTokens };

    [Fact]
    public void Embed_MeanPooling_AveragesOnlyRealTokensOfEachRow()
    {
        using var model = new EmbeddingModel(_manifest, _tokenizer, new FakeEncoder(2), Batching(8, 4096), TimeProvider.System);

        EmbeddingResult result = model.Embed(["hello", "hello world again"]);

        // "hello" = [101, 7592, 102] at positions 0..2: mean id 2598.33.., mean position term 1000.
        Assert.Equal((101 + 7592 + 102) / 3.0 + 1000, result.Vectors[0][0], 3);
        Assert.Equal(result.Vectors[0][0] + 1, result.Vectors[0][1], 3);
        Assert.Equal(3 + 5, result.PromptTokens);
    }

    [Fact]
    public void Embed_ClsPooling_TakesTheFirstToken()
    {
        using var model = new EmbeddingModel(_manifest with { Pooling = PoolingKind.Cls }, _tokenizer, new FakeEncoder(2), Batching(8, 4096), TimeProvider.System);

        EmbeddingResult result = model.Embed(["hello world"]);

        Assert.Equal([101f, 102f], result.Vectors[0]);
    }

    [Fact]
    public void Embed_Normalize_GivesUnitVectors()
    {
        using var model = new EmbeddingModel(_manifest with { Normalize = true }, _tokenizer, new FakeEncoder(2), Batching(8, 4096), TimeProvider.System);

        float[] vector = model.Embed(["hello"]).Vectors[0];

        Assert.Equal(1.0, Math.Sqrt(vector.Sum(v => (double)v * v)), 6);
    }

    [Fact]
    public void Embed_ManyInputs_SplitsByBatchSizeAndTokenBudgetAndKeepsOrder()
    {
        var encoder = new FakeEncoder(2);
        using var model = new EmbeddingModel(_manifest with { Pooling = PoolingKind.Cls }, _tokenizer, encoder, Batching(2, 10), TimeProvider.System);
        string[] inputs = ["a", "a b c d e f g h", "a b", "a b c"];

        EmbeddingResult result = model.Embed(inputs);

        // Longest first: 10 tokens fills the budget alone; then 5 and 4 (2 x 5 = 10); then 3.
        Assert.Equal([(1, 10), (2, 5), (1, 3)], encoder.Batches);
        Assert.All(result.Vectors, v => Assert.Equal(101f, v[0]));
        Assert.Equal(3 + 10 + 4 + 5, result.PromptTokens);
    }

    [Fact]
    public void Embed_QueryInputType_AddsTheQueryPrefix()
    {
        ModelManifest manifest = _manifest with { Prefixes = new PrefixSpec { Query = "hello " } };
        using var model = new EmbeddingModel(manifest, _tokenizer, new FakeEncoder(2), Batching(8, 4096), TimeProvider.System);

        EmbeddingResult query = model.Embed(["world"], EmbeddingInputType.Query);
        EmbeddingResult document = model.Embed(["world"], EmbeddingInputType.Document);

        Assert.Equal((4, 3), (query.PromptTokens, document.PromptTokens));
    }

    [Fact]
    public void Embed_TooLongInput_IsTruncatedAndCounted()
    {
        using var model = new EmbeddingModel(_manifest with { MaxTokens = 4 }, _tokenizer, new FakeEncoder(2), Batching(8, 4096), TimeProvider.System);

        EmbeddingResult result = model.Embed(["a b c d e", "a"]);

        Assert.Equal((4 + 3, 1), (result.PromptTokens, result.TruncatedInputs));
    }

    [Fact]
    public async Task EmbedAsync_ThroughTheBatcher_GivesTheSameVectorsAndCounts()
    {
        await using var model = new EmbeddingModel(_manifest, _tokenizer, new FakeEncoder(2), Batching(8, 4096), TimeProvider.System);
        string[] inputs = ["hello world", "a", "again and again"];

        EmbeddingResult direct = model.Embed(inputs);
        EmbeddingResult batched = await model.EmbedAsync(inputs);

        Assert.Equal(direct.Vectors, batched.Vectors);
        Assert.Equal((direct.PromptTokens, direct.TruncatedInputs), (batched.PromptTokens, batched.TruncatedInputs));
        Assert.Equal(1, model.GetStatistics(Thaw.Inference.Batching.BatchProfileKind.Interactive).Batches);
    }

    [Fact]
    public void Embed_CancelledToken_Throws()
    {
        using var model = new EmbeddingModel(_manifest, _tokenizer, new FakeEncoder(2), Batching(8, 4096), TimeProvider.System);

        Assert.Throws<OperationCanceledException>(() => model.Embed(["a"], cancellationToken: new CancellationToken(canceled: true)));
    }
}
