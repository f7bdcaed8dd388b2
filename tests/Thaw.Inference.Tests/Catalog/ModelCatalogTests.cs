using System.Text.Json.Nodes;
using Thaw.Inference.Catalog;
using Thaw.Testing;

namespace Thaw.Inference.Tests.Catalog;

public sealed partial class ModelCatalogTests : IDisposable
{
    private readonly string _root = Directory.CreateTempSubdirectory("thaw-catalog-").FullName;

    public void Dispose() => Directory.Delete(_root, recursive: true);

    [Fact]
    public void Load_BundledCatalog_HasBothModelsWithTheirSettings()
    {
        ModelCatalog catalog = RealModels.LoadCatalog();

        Assert.Equal([RealModels.MiniLm, RealModels.ArcticXs], catalog.Models.Select(m => m.Id).Order());
        ModelManifest miniLm = catalog.Get(RealModels.MiniLm);
        Assert.Equal((PoolingKind.Mean, 256, 384), (miniLm.Pooling, miniLm.MaxTokens, miniLm.Dimensions));
        ModelManifest arctic = catalog.Get(RealModels.ArcticXs);
        Assert.Equal((PoolingKind.Cls, 512), (arctic.Pooling, arctic.MaxTokens));
        Assert.StartsWith("Represent this sentence", arctic.Prefixes.Query, StringComparison.Ordinal);
        Assert.Equal(new DateOnly(2024, 4, 16), arctic.Published);
        Assert.Equal(new DateOnly(2021, 8, 1), miniLm.Published);
    }

    [Fact]
    public void Load_OptionalFieldsAbsent_TakeTheirDocumentedDefaults()
    {
        Write("m1", TestManifests.Valid());

        ModelManifest manifest = ModelCatalog.Load(_root, "m1").Get("m1");

        Assert.True(manifest.Normalize);
        Assert.Equal("", manifest.Prefixes.Query);
        Assert.Equal("", manifest.Prefixes.Document);
        Assert.True(manifest.Tokenizer.Lowercase);
        Assert.True(manifest.Tokenizer.StripAccents);
        Assert.Equal("", manifest.Description);
        Assert.Null(manifest.Published);
    }

    [Fact]
    public void Get_UnknownModel_ThrowsNamingTheModelAndTheKnownOnes()
    {
        ModelCatalog catalog = RealModels.LoadCatalog();

        var e = Assert.Throws<ModelNotFoundException>(() => catalog.Get("gpt-17"));

        Assert.Contains("'gpt-17'", e.Message, StringComparison.Ordinal);
        Assert.Contains(RealModels.MiniLm, e.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("maxTokens", "2", "'maxTokens' must be between")]
    [InlineData("dimensions", "0", "'dimensions' must be between")]
    [InlineData("pooling", "\"max\"", "invalid manifest")]
    [InlineData("license", "\" \"", "'license' must be set")]
    [InlineData("id", "\"Other\"", "'id' must be lower-case")]
    [InlineData("unexpected", "1", "invalid manifest")]
    [InlineData("published", "\"1970-01-01\"", "'published' must be an ISO date")]
    [InlineData("published", "\"last spring\"", "invalid manifest")]
    public void Load_InvalidField_ThrowsNamingFileAndProblem(string field, string json, string problem)
    {
        JsonObject manifest = TestManifests.Valid();
        manifest[field] = JsonNode.Parse(json);
        string path = Write("m1", manifest);

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Load(_root, "m1"));

        Assert.Contains(path, e.Message, StringComparison.Ordinal);
        Assert.Contains(problem, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingRequiredField_NamesIt()
    {
        JsonObject manifest = TestManifests.Valid();
        manifest.Remove("dimensions");
        Write("m1", manifest);

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Load(_root, "m1"));

        Assert.Contains("dimensions", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_BadHash_NamesTheFile()
    {
        JsonObject manifest = TestManifests.Valid();
        manifest["files"]![0]!["sha256"] = "abc";
        Write("m1", manifest);

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Load(_root, "m1"));

        Assert.Contains("file 'model.onnx': 'sha256'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_IdDiffersFromFolder_Throws()
    {
        Write("folder", TestManifests.Valid());

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Load(_root, "m1"));

        Assert.Contains("must equal the folder name 'folder'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_DefaultModelMissing_Throws()
    {
        Write("m1", TestManifests.Valid());

        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Load(_root, "other"));

        Assert.Contains("default model 'other'", e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Load_MissingFolder_Throws()
    {
        var e = Assert.Throws<ModelCatalogException>(() => ModelCatalog.Load(Path.Combine(_root, "nope"), "m1"));

        Assert.Contains("does not exist", e.Message, StringComparison.Ordinal);
    }

    private string Write(string folder, JsonObject manifest)
    {
        string directory = Path.Combine(_root, folder);
        Directory.CreateDirectory(directory);
        string path = Path.Combine(directory, ModelCatalog.ManifestFileName);
        File.WriteAllText(path, manifest.ToJsonString());
        return path;
    }
}
