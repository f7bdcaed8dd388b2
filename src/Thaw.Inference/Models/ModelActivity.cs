namespace Thaw.Inference.Models;

/// <summary>
/// What a loaded model has done since it loaded, in its task's own terms (an encoder's batchers, a decoder's
/// scheduler), for <c>/readyz</c>, <c>/v1/models</c> and benchmarks. The pool only carries it: each task defines
/// its record, and the status pages show the one they know.
/// </summary>
public abstract record ModelActivity;
