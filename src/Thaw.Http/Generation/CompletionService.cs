using Thaw.Http.Errors;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Models;

namespace Thaw.Http.Generation;

/// <summary>
/// The use case behind both completion routes, whoever asks: an HTTP request (interactive, whole or streamed), a batch
/// line (bulk) or a queued request (interactive), both answered whole. Given a request read by its
/// <see cref="CompletionRoute"/>, it checks the model's task, encodes the prompt on the loaded model, resolves and
/// checks the settings against it and starts the completion on the profile's share of the model's scheduler.
/// </summary>
public sealed class CompletionService(ModelHost models, TimeProvider timeProvider)
{
    /// <summary>Runs the completion to its end; returns the JSON the route answers a request without <c>stream</c>.</summary>
    /// <exception cref="ApiException">The request does not suit the model (its task, chat template, context, vocabulary).</exception>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="OverloadedException">The profile's queue is full; nothing was queued.</exception>
    internal Task<byte[]> CompleteAsync(CompletionRoute route, CompletionPlan plan, BatchProfileKind profile, CancellationToken cancellationToken) =>
        StartAsync(route, plan, profile, static async (started, token) =>
        {
            using (started.Completion)
            {
                return started.Format.Whole(await started.Completion.CollectAsync(token).ConfigureAwait(false));
            }
        }, cancellationToken);

    /// <summary>
    /// Starts the completion and hands it to <paramref name="answer"/>, which owns it from then on (disposes it, or
    /// passes it on to what does). A model unloaded meanwhile is loaded again once (<see cref="ModelHost.UseAsync{TModel, TResult}"/>).
    /// </summary>
    /// <exception cref="ApiException">The request does not suit the model (its task, chat template, context, vocabulary).</exception>
    /// <exception cref="ModelNotFoundException">The catalog has no such model.</exception>
    /// <exception cref="OverloadedException">The profile's queue is full; nothing was queued.</exception>
    internal Task<TResult> StartAsync<TResult>(
        CompletionRoute route, CompletionPlan plan, BatchProfileKind profile, Func<StartedCompletion, CancellationToken, Task<TResult>> answer, CancellationToken cancellationToken)
    {
        ModelManifest manifest = models.Catalog.Get(plan.ModelId);
        if (manifest.Task != ModelTask.TextGeneration)
        {
            throw new ApiException(ApiError.BadRequest("model",
                $"'{plan.ModelId}' is an {manifest.Task.Name()} model; {route.Path} needs a text-generation model (see GET /v1/models).",
                "model_not_supported"));
        }

        var identity = new CompletionIdentity(route.IdPrefix + Guid.NewGuid().ToString("N"), timeProvider.GetUtcNow().ToUnixTimeSeconds(), plan.ModelId);

        // A batch line keeps the model alive but is not a request of its own to learn idle times from.
        return models.UseAsync<TextGenerationModel, TResult>(plan.ModelId, isRequest: profile == BatchProfileKind.Interactive,
            (model, token) => answer(Start(plan, identity, model, profile, token), token), cancellationToken);
    }

    private static StartedCompletion Start(CompletionPlan plan, CompletionIdentity identity, TextGenerationModel model, BatchProfileKind profile, CancellationToken cancellationToken)
    {
        IReadOnlyList<int> prompt = plan.Encode(model);
        if (prompt.Count == 0)
        {
            throw new ApiException(ApiError.BadRequest(plan.PromptField, $"'{plan.PromptField}' has no tokens: send at least one character."));
        }

        CompletionSettings settings = plan.Settings(model, prompt.Count);
        CompletionRequestReader.CheckSettings(plan, model.VocabSize, settings);
        ICompletionFormat format = plan.CreateFormat(identity, model.Tokenizer);
        try
        {
            return new StartedCompletion(model.Start(prompt, settings, profile, cancellationToken), format, settings);
        }
        catch (ContextLengthExceededException e)
        {
            throw new ApiException(ApiError.BadRequest(plan.PromptField, e.Message, "context_length_exceeded"));
        }
        catch (ArgumentOutOfRangeException e) when (e.ParamName is not null)
        {
            // What only the loaded model can judge (n against its slots and waiting queue), answered as the fields above.
            throw CompletionRequestReader.BadSetting(e);
        }
    }
}
