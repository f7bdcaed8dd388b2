namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>
/// A greedy request for <see cref="ScriptedDecoding"/>: which slot it takes, the step from which it may start, and
/// steps at which it sits out while decoding (its slot holds its sequence while the others step).
/// </summary>
internal sealed record ScriptedRequest(int Slot, int Arrival, int[] Prompt, int MaxTokens, int[]? SitOut = null);
