namespace Thaw.Inference.Generation.Templates;

/// <summary>
/// A conversation that the model's chat template cannot render: an unknown role, a non-text content part (images,
/// audio), no messages. A client error (400) that names the request field at fault.
/// </summary>
public sealed class UnsupportedChatContentException(string field, string message) : Exception(message)
{
    /// <summary>The request field at fault, as a path: <c>messages[2].content[0].type</c>.</summary>
    public string Field { get; } = field;
}
