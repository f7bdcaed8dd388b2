using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Hosting;
using Thaw.Azure.Models;
using Thaw.Azure.Storage;
using Thaw.Inference.Sources;

namespace Thaw.Azure;

public static class AzureHostingExtensions
{
    /// <summary>Adds the Azure Storage adapters (model files in Blob Storage), configured from <c>Thaw:Storage</c>.</summary>
    public static IHostApplicationBuilder AddThawAzure(this IHostApplicationBuilder builder)
    {
        builder.Services.AddOptions<StorageOptions>().BindConfiguration(StorageOptions.SectionName).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.TryAddSingleton<BlobClients>();
        builder.Services.TryAddEnumerable(ServiceDescriptor.Singleton<IModelSource, BlobModelSource>());
        return builder;
    }
}
