using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Requests;

namespace Thaw.Http.Generation;

/// <summary>
/// One of the two completion routes: its path (the batch <c>endpoint</c> and a line's <c>url</c> too), the prefix of
/// its answers' ids, and how its body becomes a <see cref="CompletionPlan"/>.
/// </summary>
internal sealed class CompletionRoute
{
    public static readonly CompletionRoute Chat = new("/v1/chat/completions", "chatcmpl-",
        body => CompletionRequestReader.ReadChat(RequestBody.Parse(body, ThawJson.Context.ChatCompletionRequest)));

    public static readonly CompletionRoute Text = new("/v1/completions", "cmpl-",
        body => CompletionRequestReader.ReadText(RequestBody.Parse(body, ThawJson.Context.CompletionRequest)));

    private readonly Func<ReadOnlyMemory<byte>, CompletionPlan> _read;

    private CompletionRoute(string path, string idPrefix, Func<ReadOnlyMemory<byte>, CompletionPlan> read)
    {
        Path = path;
        IdPrefix = idPrefix;
        _read = read;
    }

    public string Path { get; }

    public string IdPrefix { get; }

    /// <summary>Parses and validates a body: every check that needs no model.</summary>
    /// <exception cref="ApiException">The request is invalid; the error names the field.</exception>
    public CompletionPlan Read(ReadOnlyMemory<byte> body) => _read(body);
}
