using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;

namespace Thaw.Inference.Models;

/// <summary>
/// A failed load's category, a short code safe to show where anyone may look (<c>/readyz</c> is anonymous in
/// Functions). The exception's message may hold local paths or storage account names: it goes to the log and to
/// the authenticated side (<c>GET /v1/models</c>) only.
/// </summary>
public static class ModelLoadError
{
    public static string Categorize(Exception exception) => exception switch
    {
        ModelSourceException => "model_source_failed",
        ModelTooLargeException => "model_too_large",
        SnapshotStoreUnavailableException => "snapshot_store_unavailable",
        ModelCatalogException => "invalid_manifest",
        OutOfMemoryException or InsufficientMemoryException => "out_of_memory",
        IOException or UnauthorizedAccessException => "io_error",
        OperationCanceledException => "cancelled",
        _ => "load_failed",
    };
}
