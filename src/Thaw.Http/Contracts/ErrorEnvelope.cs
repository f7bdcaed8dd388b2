namespace Thaw.Http.Contracts;

/// <summary>OpenAI's error envelope: <c>{"error":{"message","type","param","code"}}</c>.</summary>
public sealed class ErrorEnvelope
{
    public required ErrorBody Error { get; init; }
}

public sealed class ErrorBody
{
    public required string Message { get; init; }

    public required string Type { get; init; }

    public required string? Param { get; init; }

    public required string? Code { get; init; }
}
