using Microsoft.Extensions.Logging.Abstractions;
using Thaw.Inference.Jobs;

namespace Thaw.Inference.Tests.Jobs;

/// <summary>Retention on a fake clock: a batch's output and error files go after Thaw:Jobs:OutputRetention, its input stays.</summary>
public sealed class FileRetentionSweeperTests : IDisposable
{
    private readonly JobFixture _jobs = new();

    public void Dispose() => _jobs.Dispose();

    [Fact]
    public async Task Sweep_DeletesABatchsOutputAndErrorFilesOnceTheirRetentionEnds_KeepsTheInput()
    {
        string batchId = await _jobs.CreateBatchAsync(JobFixture.Lines(8));
        BatchRecord batch = await _jobs.Runner(new EchoHandler()).RunAsync(batchId);
        var sweeper = new FileRetentionSweeper(_jobs.Files, _jobs.Time, NullLogger<FileRetentionSweeper>.Instance);
        FileRecord output = (await _jobs.Files.GetAsync(batch.OutputFileId!))!;
        Assert.NotNull(batch.ErrorFileId);

        Assert.Equal(output.CreatedAt + (long)_jobs.Options.OutputRetention.TotalSeconds, output.ExpiresAt);
        _jobs.Time.Advance(_jobs.Options.OutputRetention - TimeSpan.FromSeconds(1));
        Assert.Equal(0, await sweeper.SweepAsync());
        Assert.NotNull(await _jobs.Files.GetAsync(batch.OutputFileId!));

        _jobs.Time.Advance(TimeSpan.FromSeconds(1));
        Assert.Equal(2, await sweeper.SweepAsync());

        Assert.Null(await _jobs.Files.GetAsync(batch.OutputFileId!));
        Assert.Null(await _jobs.Files.GetAsync(batch.ErrorFileId!));
        Assert.NotNull(await _jobs.Files.GetAsync(batch.InputFileId));
        Assert.Equal(0, await sweeper.SweepAsync());
    }
}
