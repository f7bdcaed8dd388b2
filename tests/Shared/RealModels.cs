using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Hosting;
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

    public static ThawOptions Options() => new()
    {
        CacheDirectory = CacheDirectory,
        Models = new ModelsOptions { CatalogDirectory = CatalogDirectory },
    };

    public static ModelFileCache CreateFileCache(ThawOptions? options = null)
    {
        IOptions<ThawOptions> wrapped = Microsoft.Extensions.Options.Options.Create(options ?? Options());
        return new ModelFileCache(
            [new NuGetPackageModelSource(wrapped), new LocalPathModelSource()], wrapped, NullLogger<ModelFileCache>.Instance);
    }

    public static SnapshotCache CreateSnapshotCache(ThawOptions? options = null, ISnapshotStore? store = null) =>
        new(Microsoft.Extensions.Options.Options.Create(options ?? Options()), TimeProvider.System, NullLogger<SnapshotCache>.Instance, store);

    public static async Task<ModelFiles> EnsureFilesAsync(string modelId) =>
        await CreateFileCache().EnsureAsync(LoadCatalog().Get(modelId));
}
