namespace Thaw.Http.Contracts;

public sealed class ErrorBody
{
    public required string Message { get; init; }

    public required string Type { get; init; }

    public required string? Param { get; init; }

    public required string? Code { get; init; }
}
