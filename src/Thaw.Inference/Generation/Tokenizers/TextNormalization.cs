using System.Text;

namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>The <c>tokenizer.json</c> normalizers this reader supports, applied in order: Unicode forms and lowercasing.</summary>
internal sealed class TextNormalization
{
    public static readonly TextNormalization None = new([], lowercase: false);

    private readonly NormalizationForm[] _forms;
    private readonly bool _lowercase;

    public TextNormalization(IReadOnlyList<NormalizationForm> forms, bool lowercase)
    {
        _forms = [.. forms];
        _lowercase = lowercase;
    }

    public string Apply(string text)
    {
        foreach (NormalizationForm form in _forms)
        {
            text = text.Normalize(form);
        }

        return _lowercase ? text.ToLowerInvariant() : text;
    }
}
