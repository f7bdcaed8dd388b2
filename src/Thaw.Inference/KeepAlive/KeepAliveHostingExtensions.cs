using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Inference.Settings;

namespace Thaw.Inference.KeepAlive;

public static class KeepAliveHostingExtensions
{
    /// <summary>
    /// Registers the keep-alive policy named by <c>Thaw:KeepAlive:Policy</c> (validated at start) and the local-disk
    /// idle-statistics store. <c>AddThawAzure</c> replaces the store with the Blob one when storage is configured.
    /// </summary>
    public static IHostApplicationBuilder AddThawKeepAlive(this IHostApplicationBuilder builder)
    {
        IServiceCollection services = builder.Services;
        services.AddThawOptions<KeepAliveOptions>(KeepAliveOptions.SectionName, static (section, options) => section.Bind(options));
        services.AddThawOptions<CacheOptions>(CacheOptions.SectionName, static (section, options) => section.Bind(options));
        services.TryAddSingleton(sp => KeepAlivePolicies.Create(sp.GetRequiredService<IOptions<KeepAliveOptions>>().Value));
        services.TryAddSingleton<IIdleStatisticsStore>(sp =>
        {
            string directory = sp.GetRequiredService<IOptions<KeepAliveOptions>>().Value.StatisticsDirectory
                ?? Path.Combine(sp.GetRequiredService<IOptions<CacheOptions>>().Value.ResolveCacheDirectory(), "keepalive");
            return new LocalIdleStatisticsStore(directory, sp.GetRequiredService<ILogger<LocalIdleStatisticsStore>>());
        });
        return builder;
    }
}
