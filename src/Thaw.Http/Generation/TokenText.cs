using System.Text;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Http.Generation;

/// <summary>A token as logprobs report it: its own text (U+FFFD for part of a character) and its UTF-8 bytes.</summary>
internal readonly record struct TokenText(string Text, int[] Bytes)
{
    public static TokenText Of(ITextTokenizer tokenizer, int id)
    {
        ReadOnlySpan<byte> bytes = tokenizer.GetTokenBytes(id);
        int[] values = new int[bytes.Length];
        for (int i = 0; i < bytes.Length; i++)
        {
            values[i] = bytes[i];
        }

        return new TokenText(Encoding.UTF8.GetString(bytes), values);
    }

    /// <summary>OpenAI's <c>finish_reason</c>.</summary>
    public static string? Name(FinishReason? reason) => reason switch
    {
        null => null,
        FinishReason.Stop => "stop",
        FinishReason.Length => "length",
        _ => throw new ArgumentOutOfRangeException(nameof(reason), reason, "Bug: a finish reason without a name."),
    };
}
