namespace Thaw.Inference.Generation.Scheduling;

/// <summary>Why a generation ended, as OpenAI's <c>finish_reason</c> reports it.</summary>
public enum FinishReason
{
    /// <summary>The model sampled an end-of-sequence token, or the consumer stopped it (a stop sequence matched).</summary>
    Stop,

    /// <summary>The request generated its <c>max_tokens</c>.</summary>
    Length,
}
