using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Http.Errors;
using Thaw.Http.Generation;
using Thaw.Http.Requests;
using Thaw.Http.Responses;
using Thaw.Inference.Batching;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Models;
using Thaw.Inference.Settings;

namespace Thaw.Http.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>: read the body, hand the request to
/// <see cref="CompletionService"/> on the interactive profile and answer it whole or as a stream of events.
/// </summary>
public sealed class CompletionsEndpoint(CompletionService completions, InstanceTimeline timeline, IOptions<LimitsOptions> limits, ILogger<CompletionsEndpoint> logger)
{
    private const string JsonContentType = "application/json; charset=utf-8";

    public Task<IResult> ChatAsync(HttpRequest request) => HandleAsync(request, CompletionRoute.Chat);

    public Task<IResult> CompleteAsync(HttpRequest request) => HandleAsync(request, CompletionRoute.Text);

    private Task<IResult> HandleAsync(HttpRequest request, CompletionRoute route)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            timeline.MarkFirstRequest();
            ReadOnlyMemory<byte> body = await RequestBody.ReadAsync(request, limits.Value.MaxRequestBytes, aborted).ConfigureAwait(false);
            CompletionPlan plan = route.Read(body);
            if (plan.Stream)
            {
                return await completions.StartAsync(route, plan, BatchProfileKind.Interactive, (started, token) => StreamAsync(plan, started, token), aborted).ConfigureAwait(false);
            }

            byte[] json = await completions.CompleteAsync(route, plan, BatchProfileKind.Interactive, aborted).ConfigureAwait(false);
            return new StreamResult(new MemoryStream(json, writable: false), JsonContentType, json.Length);
        }, logger, aborted);
    }

    private async Task<IResult> StreamAsync(CompletionPlan plan, StartedCompletion started, CancellationToken cancellationToken)
    {
        IAsyncEnumerator<CompletionDelta> deltas = started.Completion.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // The first step's failure is still an answer with a status: the stream's headers are not sent yet.
            bool hasFirst = await deltas.MoveNextAsync().ConfigureAwait(false);
            return new CompletionStreamResult(started.Completion, deltas, hasFirst, started.Settings.Choices, started.Format, plan.IncludeUsage, logger);
        }
        catch
        {
            await deltas.DisposeAsync().ConfigureAwait(false);
            started.Completion.Dispose();
            throw;
        }
    }
}
