namespace Thaw.Inference.Simulation;

/// <summary>A trace file that cannot be read; the message names the line and the value.</summary>
public sealed class TraceFormatException(string message) : Exception(message);
