namespace Thaw.Inference.Jobs;

/// <summary>Why a line of an input file is not a request Thaw can run (it goes to the error file; the batch goes on).</summary>
public sealed record BatchLineError(string Code, string Message);
