namespace Thaw.Inference.Jobs;

/// <summary>OpenAI's <c>errors</c> object of a batch: <c>{"object":"list","data":[...]}</c>.</summary>
public sealed record BatchErrors(IReadOnlyList<BatchError> Data)
{
    public string Object => "list";
}
