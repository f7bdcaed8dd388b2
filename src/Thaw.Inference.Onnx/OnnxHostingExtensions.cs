using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Thaw.Inference.Backends;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Onnx.Generation;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Onnx;

public static class OnnxHostingExtensions
{
    /// <summary>Runs models in ONNX Runtime (encoders and decoders), configured from <c>Thaw:Onnx</c>.</summary>
    public static IHostApplicationBuilder AddThawOnnx(this IHostApplicationBuilder builder)
    {
        builder.Services.AddThawOptions<OnnxOptions>(OnnxOptions.SectionName, static (section, options) => section.Bind(options));
        builder.Services.TryAddSingleton<IEncoderBackend, OnnxEncoderBackend>();
        builder.Services.TryAddSingleton<IDecoderBackend, OnnxDecoderBackend>();
        return builder;
    }
}
