using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Settings;

public static class ThawOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the configuration section <paramref name="section"/> (e.g.
    /// <c>Thaw:Batching</c>) with <paramref name="bind"/> and validates it when the host starts
    /// (<see cref="OptionsValidation"/>): a bad value stops the host with a message that names the key, the value and
    /// what is allowed. Idempotent.
    /// </summary>
    /// <param name="services">The host's services.</param>
    /// <param name="section">The configuration path of the section.</param>
    /// <param name="bind">
    /// Copies the section onto the options; every caller passes <c>static (section, options) =&gt; section.Bind(options)</c>.
    /// The call is written where <typeparamref name="TOptions"/> is a concrete type so that the configuration binding
    /// source generator (<c>EnableConfigurationBindingGenerator</c>) replaces it with generated, trim-safe code there:
    /// inside this generic method it would be the reflection binder, which binds nothing in a Native AOT host.
    /// </param>
    public static OptionsBuilder<TOptions> AddThawOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        this IServiceCollection services, string section, Action<IConfiguration, TOptions> bind)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        ArgumentNullException.ThrowIfNull(bind);
        OptionsBuilder<TOptions> builder = services.AddOptions<TOptions>();
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<TOptions>) && d.ImplementationInstance is SectionValidator<TOptions>))
        {
            // What OptionsBuilder.BindConfiguration does, with the binding passed in.
            builder.Configure<IConfiguration>((options, configuration) => bind(configuration.GetSection(section), options));
            services.AddSingleton<IOptionsChangeTokenSource<TOptions>>(provider =>
                new ConfigurationChangeTokenSource<TOptions>(builder.Name, provider.GetRequiredService<IConfiguration>()));
            builder.ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section)));
            services.AddSingleton(new OptionsSection(section, typeof(TOptions)));
        }

        return builder;
    }
}
