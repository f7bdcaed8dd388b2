using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Thaw.Inference.Backends;

namespace Thaw.Inference.Onnx;

public static class OnnxHostingExtensions
{
    /// <summary>Runs models in ONNX Runtime, configured from <c>Thaw:Onnx</c>.</summary>
    public static IHostApplicationBuilder AddThawOnnx(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<OnnxOptions>()
            .BindConfiguration(OnnxOptions.SectionName)
            .ValidateDataAnnotations()
            .ValidateOnStart();
        builder.Services.TryAddSingleton<IEncoderBackend, OnnxEncoderBackend>();
        return builder;
    }
}
