using Thaw.Inference.Jobs;
using Xunit.Abstractions;

namespace Thaw.Inference.Tests.Jobs;

[Collection(nameof(MemoryMeasurement))]
public sealed class BatchOutputMemoryTests(ITestOutputHelper log) : IDisposable
{
    private const int Lines = 256;
    private const int AnswerBytes = 1 << 20;

    private readonly JobFixture _jobs = new(chunkLines: 1000);

    public void Dispose() => _jobs.Dispose();

    [Fact]
    public async Task Run_OutputFarLargerThanTheHeapMayGrow_StreamsEachChunkWithTheHeapBounded()
    {
        // 256 answers of 1 MiB in one chunk of 1000 lines: 256 MiB of output, 8 times what the heap may grow by.
        const long AllowedGrowth = 32L << 20;
        string batchId = await _jobs.CreateBatchAsync(string.Join('\n', Enumerable.Range(0, Lines).Select(i =>
            $"{{\"custom_id\":\"r{i}\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{{\"input\":\"text {i}\"}}}}")));
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        long peak = 0;
        var handler = new EchoHandler((call, _) =>
        {
            if (call % 8 == 0)
            {
                peak = Math.Max(peak, GC.GetTotalMemory(forceFullCollection: true) - baseline);
            }

            return Task.CompletedTask;
        }, AnswerBytes);

        BatchRecord batch = await _jobs.Runner(handler).RunAsync(batchId);

        Assert.Equal(BatchStatus.Completed, batch.Status);
        Assert.Equal(new BatchRequestCounts(Lines, Lines, 0), batch.RequestCounts);
        FileRecord output = (await _jobs.Files.GetAsync(batch.OutputFileId!))!;
        Assert.True(output.Bytes > (long)Lines * AnswerBytes, $"{output.Bytes} bytes of output");
        log.WriteLine($"heap growth peak {peak / 1024.0 / 1024.0:F1} MiB for {output.Bytes / 1024.0 / 1024.0:F1} MiB of output");
        Assert.True(peak < AllowedGrowth, $"The heap grew by {peak >> 20} MiB while the batch ran (allowed {AllowedGrowth >> 20} MiB); the output is {output.Bytes >> 20} MiB.");
        await using Stream content = (await _jobs.Files.OpenReadAsync(output.Id))!;
        using var reader = new StreamReader(content);
        int lines = 0;
        while (await reader.ReadLineAsync() is { } line)
        {
            Assert.StartsWith($"{{\"id\":\"{JobIds.RequestId(batchId, lines)}\",\"custom_id\":\"r{lines}\"", line);
            lines++;
        }

        Assert.Equal(Lines, lines);
    }
}
