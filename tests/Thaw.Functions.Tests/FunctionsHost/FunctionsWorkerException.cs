namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>The worker failed a step of the protocol, exited, or did not answer in time; the message says which, with its output.</summary>
internal sealed class FunctionsWorkerException(string message) : Exception(message);
