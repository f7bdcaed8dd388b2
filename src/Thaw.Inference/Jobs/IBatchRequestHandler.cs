using System.Text.Json;
using Thaw.Inference.Batching;

namespace Thaw.Inference.Jobs;

/// <summary>Runs the body of one batch line against an endpoint (e.g. <c>/v1/embeddings</c>), exactly as its HTTP route would.</summary>
public interface IBatchRequestHandler
{
    /// <summary>The <c>url</c> (and batch <c>endpoint</c>) this handler serves.</summary>
    string Endpoint { get; }

    /// <summary>The route's body size limit (<c>Thaw:Limits:MaxRequestBytes</c>), which a line's body must meet too.</summary>
    long MaxBodyBytes { get; }

    /// <summary>
    /// Validates and runs the request through the <paramref name="profile"/>'s batcher (bulk for batch lines,
    /// interactive for queued requests); returns the JSON the HTTP route would answer with 200.
    /// </summary>
    /// <exception cref="BatchRequestRejectedException">The endpoint refuses this request (it goes to the error file).</exception>
    Task<ReadOnlyMemory<byte>> HandleAsync(JsonElement body, BatchProfileKind profile, CancellationToken cancellationToken);
}
