using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Scheduling;

namespace Thaw.Http.Generation;

/// <summary>The objects one route answers with, for one request: the whole answer, or the chunks of a stream in order.</summary>
internal interface ICompletionFormat
{
    /// <summary>The whole answer's JSON: what the route answers without <c>stream</c>, and what a batch line's output holds.</summary>
    byte[] Whole(CompletedText completed);

    /// <summary>What a stream sends before the first delta (chat: each choice's role).</summary>
    Task WriteStartAsync(EventStream events, int choices, CancellationToken cancellationToken);

    Task WriteDeltaAsync(EventStream events, CompletionDelta delta, CancellationToken cancellationToken);

    /// <summary>The last chunk with <c>include_usage</c>: no choices, the usage.</summary>
    Task WriteUsageAsync(EventStream events, GenerationUsage usage, CancellationToken cancellationToken);
}
