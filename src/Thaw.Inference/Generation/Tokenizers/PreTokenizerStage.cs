namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>One step of a <c>tokenizer.json</c> pre-tokenizer: splits each piece of text into smaller pieces.</summary>
internal abstract class PreTokenizerStage
{
    /// <summary>Appends the pieces of <c>text[start..(start + length)]</c> to <paramref name="pieces"/>, in order.</summary>
    public abstract void Split(string text, int start, int length, List<(int Start, int Length)> pieces);
}
