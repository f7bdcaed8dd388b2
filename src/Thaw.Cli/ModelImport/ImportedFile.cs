namespace Thaw.Cli.ModelImport;

/// <summary>A file of the folder that the manifest lists: its role (as <c>model.json</c> spells it) and its name in the folder.</summary>
internal sealed record ImportedFile(string Role, string Name);
