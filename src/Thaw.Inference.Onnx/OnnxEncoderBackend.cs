using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Backends;
using Thaw.Inference.Catalog;
using Thaw.Inference.Sources;

namespace Thaw.Inference.Onnx;

/// <summary>Creates one ONNX Runtime session per model, on CUDA when configured and loadable, else on CPU.</summary>
internal sealed partial class OnnxEncoderBackend(IOptions<OnnxOptions> options, ILogger<OnnxEncoderBackend> logger) : IEncoderBackend
{
    public Task<IEncoderSession> CreateSessionAsync(ModelManifest model, ModelFiles files, CancellationToken cancellationToken = default) =>
        // Session creation blocks for about a second (graph optimization): keep it off the caller's thread.
        Task.Run(() => CreateSession(model, files), cancellationToken);

    private IEncoderSession CreateSession(ModelManifest model, ModelFiles files)
    {
        OnnxOptions settings = options.Value;
        using var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = GraphOptimizationLevel.ORT_ENABLE_ALL,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = settings.IntraOpThreads > 0 ? settings.IntraOpThreads : Environment.ProcessorCount,
            InterOpNumThreads = settings.InterOpThreads,
        };

        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", settings.IntraOpSpinning ? "1" : "0");
        string provider = "CPU";
        if (settings.ExecutionProvider != ExecutionProviderPreference.Cpu)
        {
            string? failure = CudaProviderProbe.FailureReason;
            if (failure is null)
            {
                try
                {
                    // Cut first-run cost: no exhaustive cuDNN algorithm search, and an arena that grows by what is
                    // asked rather than doubling (less GPU memory held by a scaled-to-one instance).
                    using var cuda = new OrtCUDAProviderOptions();
                    cuda.UpdateOptions(new Dictionary<string, string>
                    {
                        ["device_id"] = settings.CudaDeviceId.ToString(System.Globalization.CultureInfo.InvariantCulture),
                        ["cudnn_conv_algo_search"] = "HEURISTIC",
                        ["arena_extend_strategy"] = "kSameAsRequested",
                        ["do_copy_in_default_stream"] = "1",
                    });
                    sessionOptions.AppendExecutionProvider_CUDA(cuda);
                    provider = "CUDA";
                }
                catch (OnnxRuntimeException e)
                {
                    failure = FirstLine(e.Message);
                }
            }

            if (failure is not null && settings.ExecutionProvider == ExecutionProviderPreference.Cuda)
            {
                throw new InvalidOperationException(
                    $"Model '{model.Id}': Thaw:Onnx:ExecutionProvider is Cuda but the CUDA execution provider cannot be loaded: {failure} " +
                    "(it needs an NVIDIA GPU with CUDA 13 and cuDNN 9; use Auto to fall back to CPU).");
            }

            if (failure is not null)
            {
                LogCudaUnavailable(model.Id, failure);
            }
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(files.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"Model '{model.Id}': ONNX Runtime cannot load '{files.ModelPath}': {FirstLine(e.Message)}", e);
        }

        try
        {
            return new OnnxEncoderSession(session, provider, model.Id);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning,
        Message = "Model {ModelId}: the CUDA execution provider is not available ({Reason}); running on CPU")]
    private partial void LogCudaUnavailable(string modelId, string reason);
}
