namespace Thaw.Http.Errors;

/// <summary>Thrown by validation to answer with <see cref="Error"/>; never escapes the handlers.</summary>
public sealed class ApiException(ApiError error) : Exception(error.Message)
{
    public ApiError Error { get; } = error;
}
