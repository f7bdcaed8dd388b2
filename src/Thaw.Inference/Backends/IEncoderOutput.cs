namespace Thaw.Inference.Backends;

/// <summary>
/// The last hidden state of one batch, <c>[BatchSize, SequenceLength, HiddenSize]</c> row-major. It may live in
/// native memory owned by the backend: read it before disposing, never after.
/// </summary>
public interface IEncoderOutput : IDisposable
{
    int HiddenSize { get; }

    ReadOnlySpan<float> LastHiddenState { get; }
}
