using Azure.Storage.Blobs;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Azure.KeepAlive;
using Thaw.Azure.Storage;
using Thaw.Inference.KeepAlive;
using Thaw.Testing;

namespace Thaw.Azure.Tests;

/// <summary>Idle-time statistics shared by instances through Blob Storage, on Azurite.</summary>
public sealed class BlobIdleStatisticsStoreTests(Azurite azurite) : IClassFixture<Azurite>
{
    // A container per test: the Azurite process is shared by the class.
    private readonly string _container = $"keepalive-{Guid.NewGuid():N}";
    private readonly CapturingLogger<BlobIdleStatisticsStore> _logger = new();

    private BlobIdleStatisticsStore NewInstance() =>
        new(new BlobClients(Options.Create(new StorageOptions { ConnectionString = azurite.ConnectionString, KeepAliveContainer = _container })), _logger);

    private static IdleTimeHistogram Samples(double minutes, long count)
    {
        IdleTimeHistogram histogram = IdleTimeHistogram.Create(new HistogramKeepAliveOptions());
        histogram.Add(TimeSpan.FromMinutes(minutes), count);
        return histogram;
    }

    [Fact]
    public async Task Merge_SurvivesTheInstanceThatWroteIt()
    {
        Assert.Null(await NewInstance().LoadAsync("m1"));
        await NewInstance().MergeAsync("m1", Samples(30, 4));
        await NewInstance().MergeAsync("m1", Samples(500, 1));

        IdleTimeHistogram? loaded = await NewInstance().LoadAsync("m1");

        Assert.Equal((4L, 1L), (loaded![30], loaded.OutOfRange));
        Assert.Null(await NewInstance().LoadAsync("m2"));
    }

    [Fact]
    public async Task ConcurrentInstances_MergeEveryCountExactlyOnce()
    {
        const int Writers = 6, Merges = 5, SamplesPerMerge = 2;

        await Task.WhenAll(Enumerable.Range(0, Writers).Select(writer => Task.Run(async () =>
        {
            BlobIdleStatisticsStore instance = NewInstance();
            for (int i = 0; i < Merges; i++)
            {
                await instance.MergeAsync("m1", Samples(writer, SamplesPerMerge));
            }
        })));

        IdleTimeHistogram? total = await NewInstance().LoadAsync("m1");
        Assert.Equal(Writers * Merges * SamplesPerMerge, total!.Total);
        Assert.All(Enumerable.Range(0, Writers), writer => Assert.Equal(Merges * SamplesPerMerge, total[writer]));
    }

    [Fact]
    public async Task CorruptBlob_IsIgnoredWithAWarningAndReplaced()
    {
        var container = new BlobContainerClient(azurite.ConnectionString, _container);
        await container.CreateIfNotExistsAsync();
        await container.GetBlobClient("idle-times/m1.json").UploadAsync(BinaryData.FromString("{ truncated"));

        IdleTimeHistogram? loaded = await NewInstance().LoadAsync("m1");
        IdleTimeHistogram merged = await NewInstance().MergeAsync("m1", Samples(3, 2));

        Assert.Null(loaded);
        Assert.Equal(2, merged.Total);
        Assert.Equal(2, (await NewInstance().LoadAsync("m1"))!.Total);
        Assert.Contains(_logger.Entries, e => e.Level == LogLevel.Warning
            && e.Message.StartsWith($"Model m1: idle-time statistics in blob {_container}/idle-times/m1.json are unreadable", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(true)]
    [InlineData(false)]
    public void AddThawAzure_ReplacesTheLocalStoreOnlyWithStorageConfigured(bool configured)
    {
        HostApplicationBuilder builder = Host.CreateApplicationBuilder();
        if (configured)
        {
            builder.Configuration["Thaw:Storage:ConnectionString"] = azurite.ConnectionString;
        }

        builder.AddThawKeepAlive();
        builder.AddThawAzure();
        using IHost host = builder.Build();

        IIdleStatisticsStore store = host.Services.GetRequiredService<IIdleStatisticsStore>();
        Assert.Equal(configured ? typeof(BlobIdleStatisticsStore) : typeof(LocalIdleStatisticsStore), store.GetType());
    }
}
