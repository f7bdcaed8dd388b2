using Thaw.Inference.Batching;

namespace Thaw.Inference.Generation.Scheduling;

/// <summary>
/// A request inside the scheduler: where it waits or which slot it holds, how much of its prompt is fed, what it
/// has generated. Only the scheduler loop touches its progress; the consumer side only sets <see cref="Abandoned"/>.
/// </summary>
internal sealed class Sequence
{
    private volatile bool _abandoned;

    public Sequence(GenerationRequest request, BatchProfileKind profile, long submittedAt, long order, Action<Sequence> consumerEnded)
    {
        Request = request;
        Profile = profile;
        SubmittedAt = submittedAt;
        Order = order;
        Stream = new GenerationStream(request.PromptTokens.Length, () => consumerEnded(this));
        Generated = new List<int>(Math.Min(request.MaxTokens, 4096));
    }

    public GenerationRequest Request { get; }

    public BatchProfileKind Profile { get; }

    public GenerationStream Stream { get; }

    public long SubmittedAt { get; }

    /// <summary>Submission order: prefill goes oldest first.</summary>
    public long Order { get; }

    public LinkedListNode<Sequence>? Node { get; set; }

    /// <summary>The slot it holds; -1 while it waits.</summary>
    public int Slot { get; set; } = -1;

    public int PromptFed { get; set; }

    public bool PromptDone => PromptFed == Request.PromptTokens.Length;

    public List<int> Generated { get; }

    /// <summary>The last sampled token, fed at the next step (decode); one array per sequence, reused every step.</summary>
    public int[] Pending { get; } = new int[1];

    public bool HasPending { get; set; }

    /// <summary>Its stream ended here (EOS, length, a failure): retire it at the next step.</summary>
    public bool Finished { get; set; }

    /// <summary>The consumer stopped, cancelled or disposed it: retire it at the next step.</summary>
    public bool Abandoned
    {
        get => _abandoned;
        set => _abandoned = value;
    }

    public long LastTokenAt { get; set; }
}
