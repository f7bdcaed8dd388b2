namespace Thaw.Cli.ModelImport;

/// <summary>A Hugging Face model card (<c>README.md</c>): its YAML front matter names the licence (<c>license: apache-2.0</c>).</summary>
internal static class ModelCard
{
    /// <summary>The front matter's <c>license</c>, or null without a card or the field.</summary>
    public static string? License(string folder)
    {
        string path = Path.Combine(folder, "README.md");
        if (!File.Exists(path))
        {
            return null;
        }

        using StreamReader reader = File.OpenText(path);
        if (reader.ReadLine()?.Trim() != "---")
        {
            return null;
        }

        // The front matter is flat YAML between two '---' lines; only the one scalar is wanted, so no YAML parser.
        for (string? line = reader.ReadLine(); line is not null && line.Trim() != "---"; line = reader.ReadLine())
        {
            if (line.StartsWith("license:", StringComparison.Ordinal))
            {
                string value = line["license:".Length..].Trim().Trim('"', '\'');
                return value.Length > 0 ? value : null;
            }
        }

        return null;
    }
}
