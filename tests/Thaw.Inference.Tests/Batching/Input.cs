namespace Thaw.Inference.Tests.Batching;

internal sealed record Input(int Id, int Tokens = 10);
