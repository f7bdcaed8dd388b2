using Thaw.Azure;
using Thaw.Http;
using Thaw.Inference.Hosting;
using Thaw.Inference.Onnx;

namespace Thaw.Cli;

internal static class ThawComposition
{
    /// <summary>Everything the standalone host and the in-process commands run on (as the Functions app's Program.cs).</summary>
    public static IHostApplicationBuilder AddThaw(this IHostApplicationBuilder builder) =>
        builder.AddThawInference().AddThawOnnx().AddThawAzure().AddThawHttp();
}
