using System.ComponentModel.DataAnnotations;

namespace Thaw.Azure.Storage;

/// <summary>The <c>Thaw:Storage</c> configuration section.</summary>
public sealed class StorageOptions
{
    public const string SectionName = "Thaw:Storage";

    /// <summary>
    /// An Azure Storage connection string (<c>UseDevelopmentStorage=true</c> for Azurite). Absent: Thaw runs on its
    /// embedded defaults, and a model whose source is a blob cannot be fetched.
    /// </summary>
    public string? ConnectionString { get; set; }

    /// <summary>
    /// In Azure, instead of a connection string: the blob service URI (<c>https://&lt;account&gt;.blob.core.windows.net</c>),
    /// reached with the app's managed identity (DefaultAzureCredential) — no key in configuration.
    /// </summary>
    public Uri? ServiceUri { get; set; }

    /// <summary>With <see cref="ServiceUri"/>: the client id of a user-assigned managed identity (absent: system-assigned).</summary>
    public string? ManagedIdentityClientId { get; set; }

    public bool IsConfigured => !string.IsNullOrWhiteSpace(ConnectionString) || ServiceUri is not null;

    /// <summary>The container of the snapshot store (verified model files by SHA-256), shared by all instances.</summary>
    [Required]
    public string SnapshotContainer { get; set; } = "thaw-snapshots";

    /// <summary>The container of the models' idle-time statistics (<c>idle-times/{model}.json</c>), merged by all instances.</summary>
    [Required]
    public string KeepAliveContainer { get; set; } = "thaw-keepalive";

    /// <summary>Parallel ranged reads per blob download.</summary>
    [Range(1, 64)]
    public int DownloadConcurrency { get; set; } = 8;

    /// <summary>Bytes per ranged read.</summary>
    [Range(1 << 16, 256 << 20)]
    public int DownloadChunkBytes { get; set; } = 8 << 20;
}
