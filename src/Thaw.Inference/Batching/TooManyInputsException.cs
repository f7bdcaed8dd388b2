namespace Thaw.Inference.Batching;

/// <summary>
/// A request holds more inputs than the batcher's queue can ever take: unlike <see cref="OverloadedException"/>,
/// retrying cannot help (HTTP 413).
/// </summary>
public sealed class TooManyInputsException(string name, int inputs, int limit)
    : Exception($"'{name}' queues at most {limit} inputs; a request of {inputs} inputs can never be accepted: send fewer inputs per request.");
