namespace Thaw.Http.Contracts;

/// <summary>The OpenAI model list, with each model's state on this instance.</summary>
public sealed class ModelsResponse
{
    public string Object => "list";

    public required IReadOnlyList<ModelItem> Data { get; init; }
}
