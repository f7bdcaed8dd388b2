using Microsoft.Extensions.Logging;

namespace Thaw.Inference.Generation.Scheduling;

public sealed partial class GenerationScheduler
{
    [LoggerMessage(EventId = 1800, Level = LogLevel.Error,
        Message = "A decoder step of {Model} failed; its {Requests} running requests fail with the error, waiting ones stay queued")]
    private static partial void LogStepFailed(ILogger logger, string model, int requests, Exception exception);

    [LoggerMessage(EventId = 1801, Level = LogLevel.Warning, Message = "The sampler of a request to {Model} failed; that request fails, its neighbours go on")]
    private static partial void LogSamplerFailed(ILogger logger, string model, Exception exception);

    [LoggerMessage(EventId = 1802, Level = LogLevel.Critical, Message = "The generation loop of {Model} failed; it is closed and refuses new requests")]
    private static partial void LogLoopFailed(ILogger logger, string model, Exception exception);
}
