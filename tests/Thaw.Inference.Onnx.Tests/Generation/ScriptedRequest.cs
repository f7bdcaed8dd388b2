namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>A greedy request for <see cref="ScriptedDecoding"/>: which slot it takes, and the step from which it may start.</summary>
internal sealed record ScriptedRequest(int Slot, int Arrival, int[] Prompt, int MaxTokens);
