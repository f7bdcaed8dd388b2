using Thaw.Inference.Catalog;

namespace Thaw.Cli.ModelImport;

/// <summary>
/// What an exported decoder folder says, ready for a <c>text-generation</c> manifest, before the graph is checked.
/// <c>DeclaredBy</c> gives, for each <c>generation</c> field taken from the folder, the file and key it came from (for
/// mismatch messages); <c>Notes</c> are choices made for the user (a capped context, no chat template) that the command prints.
/// </summary>
internal sealed record DecoderImport(
    string ModelFile,
    IReadOnlyList<ImportedFile> Files,
    string TokenizerKind,
    GenerationSpec Generation,
    IReadOnlyDictionary<string, string> DeclaredBy,
    string? ModelType,
    IReadOnlyList<string> Notes);
