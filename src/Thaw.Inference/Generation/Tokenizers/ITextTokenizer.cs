namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// What text generation needs from a tokenizer: prompt text to ids, ids back to text (whole, or as raw bytes for
/// streaming), and the special tokens that frame a sequence. Implementations are immutable and thread-safe.
/// </summary>
public interface ITextTokenizer
{
    /// <summary>One more than the highest token id (model vocabulary and added tokens).</summary>
    int VocabSize { get; }

    /// <summary>The token that starts a sequence, when the model has one.</summary>
    int? BeginningOfSequenceId { get; }

    /// <summary>The token that ends a generated sequence, when the tokenizer names one.</summary>
    int? EndOfSequenceId { get; }

    /// <summary>
    /// Tokenizes <paramref name="text"/>. Special-token text in it (a chat template's <c>&lt;|im_start|&gt;</c>) becomes
    /// the special token; <paramref name="addSpecialTokens"/> adds what the model frames every sequence with (BOS).
    /// </summary>
    IReadOnlyList<int> Encode(string text, bool addSpecialTokens);

    /// <summary>How many tokens <see cref="Encode"/> would return.</summary>
    int CountTokens(string text, bool addSpecialTokens);

    /// <summary>The text of <paramref name="ids"/>; invalid UTF-8 becomes U+FFFD, as in Hugging Face's decode.</summary>
    string Decode(ReadOnlySpan<int> ids, bool skipSpecialTokens);

    /// <summary>Looks up a special or added token by its text (<c>&lt;|endoftext|&gt;</c>).</summary>
    bool TryGetSpecialTokenId(string text, out int id);

    /// <summary>Whether the token is a special token (skipped by a decode that skips them).</summary>
    bool IsSpecial(int id);

    /// <summary>
    /// The bytes the token adds to the text. Byte-level tokens may hold part of a UTF-8 character: a streaming decoder
    /// joins them (<see cref="StreamingDetokenizer"/>).
    /// </summary>
    ReadOnlySpan<byte> GetTokenBytes(int id);
}
