using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Inference.Generation.Stopping;

/// <summary>
/// The text of one choice as its tokens arrive: bytes to whole characters (<see cref="StreamingDetokenizer"/>), then
/// stop sequences (<see cref="StopSequenceMatcher"/>). What <see cref="Push"/> returns can be streamed at once: it never
/// holds half a character nor any part of a stop sequence. One instance per choice; not thread-safe.
/// </summary>
public sealed class CompletionText
{
    private readonly StreamingDetokenizer _detokenizer;
    private readonly StopSequenceMatcher _stops;

    /// <param name="tokenizer">The model's tokenizer.</param>
    /// <param name="stops">The request's <c>stop</c> sequences (up to 4).</param>
    /// <param name="skipSpecialTokens">Leave special tokens out of the text (OpenAI's default).</param>
    public CompletionText(ITextTokenizer tokenizer, IReadOnlyCollection<string> stops, bool skipSpecialTokens = true)
    {
        _detokenizer = new StreamingDetokenizer(tokenizer, skipSpecialTokens);
        _stops = new StopSequenceMatcher(stops);
    }

    /// <summary>
    /// Whether a stop sequence matched. The caller then ends the generation
    /// (<see cref="GenerationStream.Stop"/> with the tokens pushed so far) and pushes no more.
    /// </summary>
    public bool Stopped => _stops.Stopped;

    /// <summary>Adds a generated token; returns the text that can be emitted now, possibly empty.</summary>
    public string Push(int tokenId) => _stops.Stopped ? string.Empty : _stops.Push(_detokenizer.Push(tokenId));

    /// <summary>
    /// Ends the text when the generation ended without a stop sequence (EOS or the token limit): what was held back,
    /// an incomplete last character as U+FFFD. A stop sequence can still complete in it (then <see cref="Stopped"/>).
    /// </summary>
    public string Finish()
    {
        if (_stops.Stopped)
        {
            return string.Empty;
        }

        string text = _stops.Push(_detokenizer.Flush());
        return _stops.Stopped ? text : text + _stops.Flush();
    }

    /// <summary>
    /// OpenAI's <c>finish_reason</c> for the choice: <c>stop</c> when a stop sequence matched, even if the same token
    /// also reached the token limit, otherwise how the scheduler ended it (EOS is stop, the limit is length).
    /// </summary>
    public FinishReason FinishReason(FinishReason ended) => _stops.Stopped ? Scheduling.FinishReason.Stop : ended;
}
