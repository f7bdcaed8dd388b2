using System.Text.Json;
using Thaw.Http.Errors;
using Thaw.Http.Generation;
using Thaw.Inference.Settings;

namespace Thaw.Http.Jobs;

/// <summary>
/// What <c>thaw batch submit</c> checks in a line's body before it uploads: each endpoint's checks that need no model
/// (the server's catalog decides the rest), the same code the server runs.
/// </summary>
public static class BatchLineChecks
{
    /// <summary>The endpoints a batch (and a queued request) can name, as the server registers their handlers.</summary>
    public static IReadOnlyList<string> Endpoints { get; } = [EmbeddingsBatchHandler.Url, CompletionRoute.Chat.Path, CompletionRoute.Text.Path];

    /// <summary>Null when <paramref name="body"/> would be accepted at <paramref name="url"/> as far as can be known without the catalog, else the server's error.</summary>
    /// <exception cref="ArgumentException"><paramref name="url"/> is none of <see cref="Endpoints"/>.</exception>
    public static ApiError? Check(string url, JsonElement body, LimitsOptions limits) => url switch
    {
        EmbeddingsBatchHandler.Url => EmbeddingsBatchHandler.Check(body, limits),
        _ when url == CompletionRoute.Chat.Path => CompletionsBatchHandler.Check(CompletionRoute.Chat, body),
        _ when url == CompletionRoute.Text.Path => CompletionsBatchHandler.Check(CompletionRoute.Text, body),
        _ => throw new ArgumentException($"No batch endpoint '{url}'; the endpoints are {string.Join(", ", Endpoints)}.", nameof(url)),
    };
}
