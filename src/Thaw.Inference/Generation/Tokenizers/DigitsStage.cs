namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>Hugging Face's <c>Digits</c> pre-tokenizer: isolates runs of digits, or each digit alone.</summary>
internal sealed class DigitsStage : PreTokenizerStage
{
    private readonly bool _individual;

    public DigitsStage(bool individual) => _individual = individual;

    public override void Split(string text, int start, int length, List<(int Start, int Length)> pieces)
    {
        int end = start + length;
        int pieceStart = start;
        int i = start;
        while (i < end)
        {
            if (!char.IsNumber(text, i))
            {
                i++;
                continue;
            }

            if (i > pieceStart)
            {
                pieces.Add((pieceStart, i - pieceStart));
            }

            int runEnd = i + 1;
            if (!_individual)
            {
                while (runEnd < end && char.IsNumber(text, runEnd))
                {
                    runEnd++;
                }
            }

            pieces.Add((i, runEnd - i));
            pieceStart = runEnd;
            i = runEnd;
        }

        if (end > pieceStart)
        {
            pieces.Add((pieceStart, end - pieceStart));
        }
    }
}
