namespace Thaw.Cli.Simulation;

/// <summary>A trace file that cannot be read; the message names the line and the value.</summary>
internal sealed class TraceFormatException(string message) : Exception(message);
