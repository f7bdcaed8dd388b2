namespace Thaw.Cli.Commands;

/// <summary>The server refused a <c>thaw batch</c> call; the message is the server's, for the user.</summary>
internal sealed class BatchApiException(string message) : Exception(message);
