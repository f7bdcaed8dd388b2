using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation.Decoding;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// Creates decoder sessions: detects the layout from the graph (refusing legacy exports), reads its shapes, checks
/// them against the manifest, and wraps the session in the backend of its layout. The device is chosen as for
/// encoders (<see cref="OnnxSessionOptions"/>); on CUDA the GroupQueryAttention KV buffer is allocated in device
/// memory and bound through IOBinding, so a decode step moves only token ids, masks and logits across the bus.
/// </summary>
internal sealed partial class OnnxDecoderBackend(IOptions<OnnxOptions> options, ILogger<OnnxDecoderBackend> logger) : IDecoderBackend
{
    public Task<IDecoderSession> CreateSessionAsync(ModelManifest model, string modelPath, CancellationToken cancellationToken = default) =>
        // Reading the graph and creating the session block for a while: keep them off the caller's thread.
        Task.Run(() => CreateSession(model, modelPath), cancellationToken);

    private IDecoderSession CreateSession(ModelManifest model, string modelPath)
    {
        GenerationSpec generation = model.Generation
            ?? throw new InvalidOperationException($"Bug: model '{model.Id}' reached the decoder backend without a 'generation' object.");
        DecoderLayout layout = DecoderLayoutDetector.Detect(modelPath);
        OnnxOptions settings = options.Value;
        using SessionOptions sessionOptions = OnnxSessionOptions.Create(settings, GraphOptimizationLevel.ORT_ENABLE_ALL);
        (string provider, string? cudaUnavailable) = OnnxSessionOptions.AppendExecutionProvider(sessionOptions, settings, model.Id);
        if (cudaUnavailable is not null)
        {
            LogCudaUnavailable(model.Id, cudaUnavailable);
        }

        InferenceSession session;
        try
        {
            session = new InferenceSession(modelPath, sessionOptions);
        }
        catch (OnnxRuntimeException e)
        {
            throw new InvalidOperationException($"Model '{model.Id}': ONNX Runtime cannot load '{modelPath}': {OnnxSessionOptions.FirstLine(e.Message)}", e);
        }

        try
        {
            DecoderGraph graph = DecoderGraph.Read(session, layout, modelPath);
            DecoderManifestCheck.Check(model, graph, modelPath);
            IDecoderSession decoder = layout == DecoderLayout.Optimum
                ? new OptimumDecoderSession(session, graph, generation.Slots, generation.ContextLength, provider)
                : new GqaDecoderSession(session, graph, provider == "CUDA" ? CudaKvMemory.For(settings.CudaDeviceId) : OrtMemoryInfo.DefaultInstance,
                    generation.Slots, generation.ContextLength, provider);
            LogCreated(model.Id, layout, provider, generation.Slots, generation.ContextLength, decoder.CacheBytes);
            return decoder;
        }
        catch
        {
            session.Dispose();
            throw;
        }
    }

    [LoggerMessage(EventId = 310, Level = LogLevel.Warning,
        Message = "Model {ModelId}: the CUDA execution provider is not available ({Reason}); running the decoder on CPU")]
    private partial void LogCudaUnavailable(string modelId, string reason);

    [LoggerMessage(EventId = 311, Level = LogLevel.Information,
        Message = "Model {ModelId}: {Layout} decoder on {Provider}, {Slots} slots of {ContextLength} tokens, KV cache up to {CacheBytes} bytes")]
    private partial void LogCreated(string modelId, DecoderLayout layout, string provider, int slots, int contextLength, long cacheBytes);
}
