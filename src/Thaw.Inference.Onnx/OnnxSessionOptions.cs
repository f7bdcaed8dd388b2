using Microsoft.ML.OnnxRuntime;

namespace Thaw.Inference.Onnx;

/// <summary>
/// The session options every Thaw model gets from <c>Thaw:Onnx</c> (threads, spinning, execution provider), shared
/// by the encoder and the decoder backends so that both choose the device the same way: CUDA when configured and
/// loadable, else CPU, with the reason for the caller to log.
/// </summary>
internal static class OnnxSessionOptions
{
    /// <summary>Whether sessions will run on CUDA with these settings on this machine.</summary>
    public static bool WillUseCuda(OnnxOptions settings) =>
        settings.ExecutionProvider != ExecutionProviderPreference.Cpu && CudaProviderProbe.FailureReason is null;

    /// <summary>New options with the threading settings; the caller owns them.</summary>
    public static SessionOptions Create(OnnxOptions settings, GraphOptimizationLevel optimization)
    {
        var sessionOptions = new SessionOptions
        {
            GraphOptimizationLevel = optimization,
            ExecutionMode = ExecutionMode.ORT_SEQUENTIAL,
            IntraOpNumThreads = settings.IntraOpThreads > 0 ? settings.IntraOpThreads : Environment.ProcessorCount,
            InterOpNumThreads = settings.InterOpThreads,
        };

        sessionOptions.AddSessionConfigEntry("session.intra_op.allow_spinning", settings.IntraOpSpinning ? "1" : "0");
        return sessionOptions;
    }

    /// <summary>Appends the CUDA provider when configured and loadable.</summary>
    /// <returns>The provider sessions will use (<c>CUDA</c> or <c>CPU</c>), and why CUDA was skipped under <c>Auto</c> (null otherwise).</returns>
    /// <exception cref="InvalidOperationException">The preference is <c>Cuda</c> and the provider cannot be loaded.</exception>
    public static (string Provider, string? CudaUnavailable) AppendExecutionProvider(SessionOptions sessionOptions, OnnxOptions settings, string modelId)
    {
        if (settings.ExecutionProvider == ExecutionProviderPreference.Cpu)
        {
            return ("CPU", null);
        }

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
                return ("CUDA", null);
            }
            catch (OnnxRuntimeException e)
            {
                failure = FirstLine(e.Message);
            }
        }

        if (settings.ExecutionProvider == ExecutionProviderPreference.Cuda)
        {
            throw new InvalidOperationException(
                $"Model '{modelId}': Thaw:Onnx:ExecutionProvider is Cuda but the CUDA execution provider cannot be loaded: {failure} " +
                "(it needs an NVIDIA GPU with CUDA 13 and cuDNN 9; use Auto to fall back to CPU).");
        }

        return ("CPU", failure);
    }

    public static string FirstLine(string message) => message.Split('\n', 2)[0].Trim();
}
