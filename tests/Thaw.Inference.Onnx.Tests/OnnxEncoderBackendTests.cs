using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Backends;
using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;
using Thaw.Testing;

namespace Thaw.Inference.Onnx.Tests;

[Collection(OnnxModelsCollection.Name)]
public sealed class OnnxEncoderBackendTests(OnnxModels models)
{
    [Fact]
    public async Task CreateSessionAsync_AutoWithoutCuda_FallsBackToCpuWithOneClearLogLine()
    {
        var logger = new CapturingLogger<OnnxEncoderBackend>();
        var backend = new OnnxEncoderBackend(Options.Create(new OnnxOptions { ExecutionProvider = ExecutionProviderPreference.Auto }), logger);

        using IEncoderSession session = await CreateAsync(backend);

        Assert.Equal("CPU", session.ExecutionProvider);
        (LogLevel level, string message) = Assert.Single(logger.Entries);
        Assert.Equal(LogLevel.Warning, level);
        Assert.Contains($"Model {RealModels.MiniLm}: the CUDA execution provider is not available (", message, StringComparison.Ordinal);
        Assert.EndsWith("running on CPU", message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task CreateSessionAsync_CudaRequiredButMissing_FailsSayingWhatItNeeds()
    {
        var backend = new OnnxEncoderBackend(
            Options.Create(new OnnxOptions { ExecutionProvider = ExecutionProviderPreference.Cuda }), new CapturingLogger<OnnxEncoderBackend>());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => CreateAsync(backend));

        Assert.Contains("CUDA execution provider cannot be loaded", e.Message, StringComparison.Ordinal);
        Assert.Contains("CUDA 13 and cuDNN 9", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Run_CancelledBeforeStart_Throws()
    {
        var batch = new EncoderBatch(1, 3);
        batch.SetRow(0, [101, 7592, 102], 0);

        Assert.Throws<OperationCanceledException>(() => models.MiniLm.Session.Run(batch, new CancellationToken(canceled: true)));
    }

    [Fact]
    public void Run_CancelledDuringAPass_StopsIt()
    {
        // A pass of 64 x 256 tokens takes well over a second on CPU; cancellation sets RunOptions.Terminate.
        var batch = new EncoderBatch(64, 256);
        int[] ids = Enumerable.Repeat(2088, 256).ToArray();
        for (int r = 0; r < 64; r++)
        {
            batch.SetRow(r, ids, 0);
        }

        using var cancellation = new CancellationTokenSource(TimeSpan.FromMilliseconds(50));

        Assert.ThrowsAny<OperationCanceledException>(() => models.MiniLm.Session.Run(batch, cancellation.Token).Dispose());
    }

    [Fact]
    public async Task CreateSessionAsync_NotAnOnnxFile_NamesTheModelAndFile()
    {
        string bogus = Path.Combine(Directory.CreateTempSubdirectory("thaw-onnx-").FullName, "model.onnx");
        await File.WriteAllTextAsync(bogus, "not a model");
        ModelManifest manifest = RealModels.LoadCatalog().Get(RealModels.MiniLm);
        var backend = new OnnxEncoderBackend(
            Options.Create(new OnnxOptions { ExecutionProvider = ExecutionProviderPreference.Cpu }), new CapturingLogger<OnnxEncoderBackend>());

        var e = await Assert.ThrowsAsync<InvalidOperationException>(() => backend.CreateSessionAsync(manifest, new SessionSource(bogus)));

        Assert.Contains($"Model '{RealModels.MiniLm}': ONNX Runtime cannot load '{bogus}'", e.Message, StringComparison.Ordinal);
    }

    private static async Task<IEncoderSession> CreateAsync(OnnxEncoderBackend backend)
    {
        ModelManifest manifest = RealModels.LoadCatalog().Get(RealModels.MiniLm);
        ModelFiles files = await RealModels.EnsureFilesAsync(RealModels.MiniLm);
        return (await backend.CreateSessionAsync(manifest, new SessionSource(files.ModelPath))).Session;
    }
}
