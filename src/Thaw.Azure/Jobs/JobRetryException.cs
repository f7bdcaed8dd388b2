namespace Thaw.Azure.Jobs;

/// <summary>Thrown out of a queue-triggered function so that the Functions host delivers the message again.</summary>
public sealed class JobRetryException(string message) : Exception(message);
