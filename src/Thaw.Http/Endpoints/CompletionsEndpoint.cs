using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Generation;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Models;
using Thaw.Inference.Settings;

namespace Thaw.Http.Endpoints;

/// <summary>
/// <c>POST /v1/chat/completions</c> and <c>POST /v1/completions</c>: validate everything the request alone decides,
/// then encode the prompt on the model, start the completion and answer it whole or as a stream of events.
/// </summary>
public sealed class CompletionsEndpoint(ModelHost models, InstanceTimeline timeline, IOptions<LimitsOptions> limits, TimeProvider timeProvider, ILogger<CompletionsEndpoint> logger)
{
    public Task<IResult> ChatAsync(HttpRequest request) =>
        HandleAsync(request, "chatcmpl-", body => CompletionRequestReader.ReadChat(RequestBody.Parse(body, ThawJson.Context.ChatCompletionRequest)));

    public Task<IResult> CompleteAsync(HttpRequest request) =>
        HandleAsync(request, "cmpl-", body => CompletionRequestReader.ReadText(RequestBody.Parse(body, ThawJson.Context.CompletionRequest)));

    private Task<IResult> HandleAsync(HttpRequest request, string idPrefix, Func<ReadOnlyMemory<byte>, CompletionPlan> read)
    {
        CancellationToken aborted = request.HttpContext.RequestAborted;
        return ApiGuard.RunAsync(async () =>
        {
            timeline.MarkFirstRequest();
            ReadOnlyMemory<byte> body = await RequestBody.ReadAsync(request, limits.Value.MaxRequestBytes, aborted).ConfigureAwait(false);
            CompletionPlan plan = read(body);
            ModelManifest manifest = models.Catalog.Get(plan.ModelId);
            if (manifest.Task != ModelTask.TextGeneration)
            {
                throw new ApiException(ApiError.BadRequest("model",
                    $"'{plan.ModelId}' is an {manifest.Task.Name()} model; {request.Path} needs a text-generation model (see GET /v1/models).",
                    "model_not_supported"));
            }

            var identity = new CompletionIdentity(idPrefix + Guid.NewGuid().ToString("N"), timeProvider.GetUtcNow().ToUnixTimeSeconds(), plan.ModelId);
            return await models.UseAsync<TextGenerationModel, IResult>(plan.ModelId, isRequest: true,
                (model, token) => RunAsync(plan, identity, model, token), aborted).ConfigureAwait(false);
        }, logger, aborted);
    }

    private async Task<IResult> RunAsync(CompletionPlan plan, CompletionIdentity identity, TextGenerationModel model, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> prompt = plan.Encode(model);
        if (prompt.Count == 0)
        {
            throw new ApiException(ApiError.BadRequest(plan.PromptField, $"'{plan.PromptField}' has no tokens: send at least one character."));
        }

        CompletionSettings settings = plan.Settings(model, prompt.Count);
        CompletionRequestReader.CheckSettings(plan, model.VocabSize, settings);
        TextCompletion completion;
        try
        {
            completion = model.Start(prompt, settings, BatchProfileKind.Interactive, cancellationToken);
        }
        catch (ContextLengthExceededException e)
        {
            throw new ApiException(ApiError.BadRequest(plan.PromptField, e.Message, "context_length_exceeded"));
        }

        ICompletionFormat format = plan.CreateFormat(identity, model.Tokenizer);
        if (!plan.Stream)
        {
            using (completion)
            {
                return format.Whole(await completion.CollectAsync(cancellationToken).ConfigureAwait(false));
            }
        }

        IAsyncEnumerator<CompletionDelta> deltas = completion.ReadAllAsync(cancellationToken).GetAsyncEnumerator(cancellationToken);
        try
        {
            // The first step's failure is still an answer with a status: the stream's headers are not sent yet.
            bool hasFirst = await deltas.MoveNextAsync().ConfigureAwait(false);
            return new CompletionStreamResult(completion, deltas, hasFirst, settings.Choices, format, plan.IncludeUsage, logger);
        }
        catch
        {
            await deltas.DisposeAsync().ConfigureAwait(false);
            completion.Dispose();
            throw;
        }
    }
}
