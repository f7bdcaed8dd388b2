namespace Thaw.Inference.Generation.Decoding;

/// <summary>
/// A loaded decoder model with its KV cache: a fixed number of slots, each holding one sequence of at most
/// <see cref="ContextLength"/> tokens. Owned by one scheduler loop: calls are never concurrent.
/// </summary>
public interface IDecoderSession : IDisposable
{
    /// <summary>Where it runs, for status and logs: <c>CPU</c>, <c>CUDA</c>.</summary>
    string ExecutionProvider { get; }

    /// <summary>How many sequences the cache holds at once.</summary>
    int Slots { get; }

    /// <summary>The most tokens (prompt and generated) one slot holds.</summary>
    int ContextLength { get; }

    int VocabSize { get; }

    /// <summary>
    /// The most bytes the KV cache takes with every slot full (what the pool counts against its memory budget next to
    /// the weights): preallocated by the shared-buffer layout, reached at the longest batch by the concatenating one.
    /// </summary>
    long CacheBytes { get; }

    /// <summary>The tokens the slot holds now (0 after <see cref="Reset"/>).</summary>
    int LengthOf(int slot);

    /// <summary>
    /// Runs the model over every input (each slot at most once per call), appending their tokens to their slots,
    /// and writes the logits at each input's last token into row i of <paramref name="logits"/>
    /// (<c>[inputs.Count, VocabSize]</c>, row-major).
    /// </summary>
    void Run(IReadOnlyList<DecoderInput> inputs, Span<float> logits, CancellationToken cancellationToken = default);

    /// <summary>Forgets the slot's sequence; the slot can take a new one.</summary>
    void Reset(int slot);
}
