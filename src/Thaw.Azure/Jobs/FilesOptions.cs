using System.ComponentModel.DataAnnotations;

namespace Thaw.Azure.Jobs;

/// <summary><c>Thaw:Files</c>: where batch files, batch records and output chunks live when a storage account is configured.</summary>
public sealed class FilesOptions
{
    public const string SectionName = "Thaw:Files";

    /// <summary>The container: <c>files/{id}</c>, <c>batches/{id}.json</c>, <c>chunks/{batch}/{k}.json</c>.</summary>
    [Required]
    public string Container { get; set; } = "thaw-files";
}
