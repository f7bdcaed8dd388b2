using System.Security.Cryptography;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;
using Thaw.Inference.Storage;

namespace Thaw.Cli.ModelImport;

/// <summary>
/// Writes <c>&lt;catalog&gt;/&lt;id&gt;/model.json</c> for a folder: a <c>path</c> source at the folder, each file's
/// SHA-256 and size, then reads the result back through <see cref="ModelCatalog.ReadManifest"/>, so a manifest that
/// the catalog would refuse is never left behind.
/// </summary>
internal static class ManifestWriter
{
    /// <summary>The <c>files</c> array, hashing each file with progress (large weights take a while).</summary>
    public static async Task<JsonArray> DescribeFilesAsync(string id, string folder, IReadOnlyList<ImportedFile> files, IProgress<TransferProgress> progress,
        CancellationToken cancellationToken)
    {
        var array = new JsonArray();
        foreach (ImportedFile file in files)
        {
            string path = Path.Combine(folder, file.Name);
            string sha256 = await HashAsync(id, path, progress, cancellationToken);
            // As a JsonNode: the generic Add<T> would wrap it as a value serialized by reflection.
            array.Add((JsonNode)new JsonObject
            {
                ["role"] = file.Role,
                ["name"] = file.Name,
                ["location"] = file.Name,
                ["sha256"] = sha256,
                ["size"] = new FileInfo(path).Length,
            });
        }

        return array;
    }

    /// <summary>Writes the manifest atomically (a reader never sees half of it) and returns it as the catalog reads it.</summary>
    /// <exception cref="ModelCatalogException">The catalog would refuse the manifest; nothing is written.</exception>
    public static ModelManifest Write(string catalog, string id, JsonObject manifest)
    {
        string folder = Path.Combine(catalog, id);
        bool created = !Directory.Exists(folder);
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, ModelCatalog.ManifestFileName);
        string staging = path + ".tmp";
        // Relaxed escaping: the file is for people too, and the default writes every apostrophe as \u0027.
        File.WriteAllText(staging, manifest.ToJsonString(new JsonSerializerOptions { WriteIndented = true, Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping }) + "\n");
        try
        {
            ModelManifest written = ModelCatalog.ReadManifest(staging);
            AtomicFile.Publish(staging, path);
            return written;
        }
        catch
        {
            File.Delete(staging);
            if (created)
            {
                Directory.Delete(folder);
            }

            throw;
        }
    }

    private static async Task<string> HashAsync(string id, string path, IProgress<TransferProgress> progress, CancellationToken cancellationToken)
    {
        await using FileStream stream = new(path, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 20, useAsync: true);
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        byte[] buffer = new byte[1 << 20];
        long done = 0;
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken)) > 0)
        {
            hash.AppendData(buffer, 0, read);
            done += read;
            progress.Report(new TransferProgress(id, Path.GetFileName(path), done, stream.Length));
        }

        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }
}
