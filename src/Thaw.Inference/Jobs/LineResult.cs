namespace Thaw.Inference.Jobs;

/// <summary>What became of one line: a 200 body, the endpoint's refusal (status and error body), or a frame error.</summary>
internal readonly record struct LineResult(int StatusCode, ReadOnlyMemory<byte> Body, BatchLineError? Error)
{
    public bool Succeeded => StatusCode == 200;
}
