namespace Thaw.Http.Contracts;

/// <summary>OpenAI's error envelope: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed class ErrorEnvelope
{
    public required ErrorBody Error { get; init; }
}
