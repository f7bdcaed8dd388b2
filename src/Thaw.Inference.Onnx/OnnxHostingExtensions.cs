using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Thaw.Inference.Backends;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Onnx;

public static class OnnxHostingExtensions
{
    /// <summary>Runs models in ONNX Runtime, configured from <c>Thaw:Onnx</c>.</summary>
    public static IHostApplicationBuilder AddThawOnnx(this IHostApplicationBuilder builder)
    {
        builder.Services.AddThawOptions<OnnxOptions>(OnnxOptions.SectionName);
        builder.Services.TryAddSingleton<IEncoderBackend, OnnxEncoderBackend>();
        return builder;
    }
}
