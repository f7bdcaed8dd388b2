namespace Thaw.Inference.Catalog;

/// <summary>A manifest in the catalog is missing, unreadable or inconsistent. The message names the file and the problem.</summary>
public sealed class ModelCatalogException(string message, Exception? innerException = null)
    : Exception(message, innerException);
