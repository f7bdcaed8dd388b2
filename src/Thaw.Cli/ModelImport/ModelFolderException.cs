namespace Thaw.Cli.ModelImport;

/// <summary>A folder that cannot be registered as it is: a missing file or field, or files that disagree. The message names them.</summary>
internal sealed class ModelFolderException(string message, Exception? innerException = null) : Exception(message, innerException);
