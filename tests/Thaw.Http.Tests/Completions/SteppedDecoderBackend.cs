using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Onnx;
using Thaw.Inference.Onnx.Generation;

namespace Thaw.Http.Tests.Completions;

/// <summary>
/// The real decoder backend, whose sessions run a decode step only when the test allows one: a completion then
/// provably runs while the test acts (hangs up) instead of finishing first on a fast machine.
/// </summary>
internal sealed class SteppedDecoderBackend(IDecoderBackend inner) : IDecoderBackend, IDisposable
{
    private readonly SemaphoreSlim _steps = new(0);
    // Open while the model loads (a load may run the graph once); the test holds the steps once it is loaded.
    private int _open = 1;
    private Exception? _failNext;

    /// <summary>Over the real ONNX decoder backend, as the server would create it.</summary>
    public static SteppedDecoderBackend OverOnnx() => new(new OnnxDecoderBackend(
        Microsoft.Extensions.Options.Options.Create(new OnnxOptions()), Microsoft.Extensions.Logging.Abstractions.NullLogger<OnnxDecoderBackend>.Instance));

    /// <summary>From now on a step runs only when <see cref="Allow"/> let it.</summary>
    public void Hold() => Interlocked.Exchange(ref _open, 0);

    /// <summary>Lets <paramref name="count"/> more steps run.</summary>
    public void Allow(int count) => _steps.Release(count);

    /// <summary>The next step fails with <paramref name="failure"/> instead of running (a backend failure mid-generation).</summary>
    public void FailNextStep(Exception failure) => Interlocked.Exchange(ref _failNext, failure);

    /// <summary>Every step from now on runs at once (so that the host can stop).</summary>
    public void Open()
    {
        Interlocked.Exchange(ref _open, 1);
        _steps.Release(1_000_000);
    }

    public async Task<IDecoderSession> CreateSessionAsync(ModelManifest model, string modelPath, CancellationToken cancellationToken = default) =>
        new Session(await inner.CreateSessionAsync(model, modelPath, cancellationToken), this);

    public void Dispose() => _steps.Dispose();

    private sealed class Session(IDecoderSession inner, SteppedDecoderBackend gate) : IDecoderSession
    {
        public string ExecutionProvider => inner.ExecutionProvider;

        public int Slots => inner.Slots;

        public int ContextLength => inner.ContextLength;

        public int VocabSize => inner.VocabSize;

        public long CacheBytes => inner.CacheBytes;

        public int LengthOf(int slot) => inner.LengthOf(slot);

        public void Run(IReadOnlyList<DecoderInput> inputs, Span<float> logits, CancellationToken cancellationToken = default)
        {
            if (Volatile.Read(ref gate._open) == 0)
            {
                gate._steps.Wait(cancellationToken);
            }

            if (Interlocked.Exchange(ref gate._failNext, null) is { } failure)
            {
                throw failure;
            }

            inner.Run(inputs, logits, cancellationToken);
        }

        public void Reset(int slot) => inner.Reset(slot);

        public void Dispose() => inner.Dispose();
    }
}
