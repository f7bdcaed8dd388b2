using System.Diagnostics.Metrics;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;
using Thaw.Inference.Catalog;
using Thaw.Inference.Embeddings;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation;
using Thaw.Inference.KeepAlive;
using Thaw.Inference.Models;
using Thaw.Inference.Settings;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;

namespace Thaw.Inference.Hosting;

public static class ThawInferenceHostingExtensions
{
    /// <summary>
    /// Registers the model catalog, model sources (nuget, path), the local file cache, the model loaders (embedding, text generation), the model host and the
    /// background pre-warm, configured from the <c>Thaw</c> sections (<c>Thaw:Models</c>, <c>Thaw:Batching</c>, <c>Thaw:Limits</c>, <c>Thaw:Generation</c>, <c>Thaw:CacheDirectory</c>). A backend (e.g. <c>AddThawOnnx</c>) must be added too.
    /// </summary>
    public static IHostApplicationBuilder AddThawInference(this IHostApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddThawOptions<CacheOptions>(CacheOptions.SectionName, static (section, options) => section.Bind(options));
        services.AddThawOptions<ModelsOptions>(ModelsOptions.SectionName, static (section, options) => section.Bind(options));
        services.AddThawOptions<BatchingOptions>(BatchingOptions.SectionName, static (section, options) => section.Bind(options));
        services.AddThawOptions<LimitsOptions>(LimitsOptions.SectionName, static (section, options) => section.Bind(options));
        // Beside the limits: the rule that reads the batching section too, run by the limits' ValidateOnStart.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<LimitsOptions>, LimitsFitQueuesValidation>());
        services.AddThawOptions<GenerationSchedulerOptions>(GenerationSchedulerOptions.SectionName, static (section, options) => section.Bind(options));
        services.TryAddSingleton(TimeProvider.System);
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelSource, NuGetPackageModelSource>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelSource, LocalPathModelSource>());
        services.TryAddSingleton<ModelFileCache>();
        services.TryAddSingleton<SnapshotCache>();
        services.TryAddSingleton(sp =>
        {
            ModelsOptions models = sp.GetRequiredService<IOptions<ModelsOptions>>().Value;
            return ModelCatalog.Load(models.ResolveCatalogDirectory(), models.Default);
        });
        services.TryAddSingleton(sp => new BatchingMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddSingleton(sp => new ModelLoadMetrics(sp.GetService<IMeterFactory>()));
        // One loader per task: the pool picks it by the catalog entry's task.
        services.TryAddSingleton(sp => new GenerationMetrics(sp.GetService<IMeterFactory>()));
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelLoader, EmbeddingModelLoader>());
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelLoader, TextGenerationModelLoader>());
        services.TryAddSingleton<ModelHost>();
        services.TryAddSingleton<InstanceTimeline>();
        services.AddHostedService<ModelPrewarmService>();
        builder.AddThawKeepAlive();
        return builder;
    }

    /// <summary>
    /// For a host without a platform timer (the standalone host): every minute, load the models whose keep-alive
    /// policy predicts a request soon (the Functions app has a timer-triggered function for this).
    /// </summary>
    public static IHostApplicationBuilder AddThawPrewarmScheduler(this IHostApplicationBuilder builder)
    {
        builder.Services.AddHostedService<PrewarmScheduler>();
        return builder;
    }
}
