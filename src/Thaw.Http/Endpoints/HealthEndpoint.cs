using System.Net;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using Thaw.Http.Contracts;
using Thaw.Http.Responses;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Generation;
using Thaw.Inference.Models;
using Thaw.Inference.Settings;

namespace Thaw.Http.Endpoints;

/// <summary><c>/healthz</c> (the process answers) and <c>/readyz</c> (the pre-warm models are ready).</summary>
public sealed class HealthEndpoint(ModelHost models, InstanceTimeline timeline, IOptions<ModelsOptions> options)
{
    public static IResult Alive() => Results.Text("ok", "text/plain");

    public IResult Ready()
    {
        IReadOnlyList<string> prewarm = options.Value.ResolvePrewarm();
        IReadOnlyList<ModelStatus> statuses = models.GetStatuses();
        // A pre-warm model unloaded after idling does not make the instance unready: it has started once, and the
        // next request loads the model again (a platform that pulled the instance out of rotation would not send one).
        ModelStatus[] required = statuses.Where(s => prewarm.Contains(s.Id)).ToArray();
        string status = required.All(s => s.State == ModelState.Ready || s.HasBeenReady && s.State != ModelState.Failed) ? "ready"
            : required.Any(s => s.State == ModelState.Failed) ? "failed"
            : "loading";

        var body = new ReadinessResponse
        {
            Status = status,
            Models = statuses.Select(s => new ModelReadiness
            {
                Id = s.Id,
                State = s.State,
                Prewarm = prewarm.Contains(s.Id),
                // A category only: the message may name local paths or accounts, and this probe answers anyone.
                Error = s.ErrorCode,
                NextAttemptAt = s.NextAttemptAt,
                ExecutionProvider = s.ExecutionProvider,
                Load = s.Timings is { } t ? LoadPhases.From(t, timeline.ProcessStart) : null,
                Batching = BatchingCounts.From((s.Activity as EmbeddingActivity)?.Interactive),
                Generation = GenerationCounts.From(s.Activity as GenerationActivity),
                SnapshotPublish = s.SnapshotPublish,
            }).ToArray(),
            Instance = new InstanceReadiness
            {
                ProcessStart = timeline.ProcessStart,
                HostReadyMs = Since(timeline.HostReady),
                FirstRequestMs = Since(timeline.FirstRequest),
            },
        };

        return status == "ready"
            ? new JsonResult<ReadinessResponse>(body, ThawJson.Context.ReadinessResponse)
            : new JsonResult<ReadinessResponse>(body, ThawJson.Context.ReadinessResponse, HttpStatusCode.ServiceUnavailable, options.Value.RetryAfter);
    }

    private double? Since(DateTimeOffset? moment) =>
        moment is { } m ? Math.Round((m - timeline.ProcessStart).TotalMilliseconds, 1) : null;
}
