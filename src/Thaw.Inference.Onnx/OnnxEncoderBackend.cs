using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Backends;
using Thaw.Inference.Catalog;
using Thaw.Inference.Snapshots;

namespace Thaw.Inference.Onnx;

/// <summary>Creates one ONNX Runtime session per model, on CUDA when configured and loadable, else on CPU.</summary>
internal sealed partial class OnnxEncoderBackend(IOptions<OnnxOptions> options, ILogger<OnnxEncoderBackend> logger) : IEncoderBackend
{
    /// <summary>The prepared graph; its weights go to <see cref="PreparedWeightsFile"/> beside it.</summary>
    public const string PreparedModelFile = "model.onnx";

    /// <summary>
    /// The prepared model's weights as external data: ONNX Runtime maps this file instead of parsing and copying the
    /// weights out of the protobuf. Measured for MiniLM on 2 cores (fresh process each, 4 runs): session creation
    /// 214–401 ms from the prepared model with external weights, against 777–1542 ms from the source model and
    /// 804–1400 ms from a prepared model with weights inside.
    /// </summary>
    public const string PreparedWeightsFile = "model.onnx.data";

    public SnapshotKey? GetSnapshotKey(ModelManifest model)
    {
        string device;
        string provider;
        if (WillUseCuda())
        {
            provider = "cuda";
            string? capability = CudaDevice.TryGetComputeCapability(options.Value.CudaDeviceId);
            if (capability is null)
            {
                LogNoGpuIdentity(model.Id);
                return null;
            }

            device = capability;
        }
        else
        {
            provider = "cpu";
            device = CpuDevice.Describe();
        }

        return new SnapshotKey(model.Id, model.GetFile(ModelFileRole.Model).Sha256, $"onnxruntime {OrtEnv.Instance().GetVersionString()}",
            provider, device, Optimization: "all", Precision: "fp32");
    }

    public Task<CreatedSession> CreateSessionAsync(ModelManifest model, SessionSource source, CancellationToken cancellationToken = default) =>
        // Session creation blocks for up to a second or more (graph optimization): keep it off the caller's thread.
        Task.Run(() => CreateSession(model, source), cancellationToken);

    private bool WillUseCuda() => options.Value.ExecutionProvider != ExecutionProviderPreference.Cpu && CudaProviderProbe.FailureReason is null;

    private CreatedSession CreateSession(ModelManifest model, SessionSource source)
    {
        OnnxOptions settings = options.Value;
        using var sessionOptions = new SessionOptions
        {
            // A prepared model was optimized when it was built, for this runtime and device (its snapshot key).
            GraphOptimizationLevel = source.Prepared ? GraphOptimizationLevel.ORT_DISABLE_ALL : GraphOptimizationLevel.ORT_ENABLE_ALL,
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

        string? prepared = null;
        if (source.SnapshotDirectory is { } directory)
        {
            // Optimize once, write the result: the next cold start skips optimization and maps the weights.
            sessionOptions.OptimizedModelFilePath = Path.Combine(directory, PreparedModelFile);
            sessionOptions.AddSessionConfigEntry("session.optimized_model_external_initializers_file_name", PreparedWeightsFile);
            sessionOptions.AddSessionConfigEntry("session.optimized_model_external_initializers_min_size_in_bytes", "1024");
            prepared = PreparedModelFile;
            // ONNX Runtime warns on stderr that a graph saved at this level is hardware-specific: the snapshot key
            // names the runtime, provider and device for exactly that reason.
            sessionOptions.LogSeverityLevel = OrtLoggingLevel.ORT_LOGGING_LEVEL_ERROR;
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(source.ModelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"Model '{model.Id}': ONNX Runtime cannot load '{source.ModelPath}': {FirstLine(e.Message)}", e);
        }

        try
        {
            return new CreatedSession(new OnnxEncoderSession(session, provider, model.Id), prepared);
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    private static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();

    [LoggerMessage(EventId = 301, Level = LogLevel.Warning,
        Message = "Model {ModelId}: the CUDA driver does not report the GPU's compute capability; no prepared-model snapshot is used or written")]
    private partial void LogNoGpuIdentity(string modelId);

    [LoggerMessage(EventId = 300, Level = LogLevel.Warning,
        Message = "Model {ModelId}: the CUDA execution provider is not available ({Reason}); running on CPU")]
    private partial void LogCudaUnavailable(string modelId, string reason);
}
