using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Settings;

public static class ThawOptionsServiceCollectionExtensions
{
    /// <summary>
    /// Binds <typeparamref name="TOptions"/> to the configuration section <paramref name="section"/> (e.g.
    /// <c>Thaw:Batching</c>) and validates it when the host starts (<see cref="OptionsValidation"/>): a bad value
    /// stops the host with a message that names the key, the value and what is allowed. Idempotent.
    /// </summary>
    public static OptionsBuilder<TOptions> AddThawOptions<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties | DynamicallyAccessedMemberTypes.PublicParameterlessConstructor)] TOptions>(
        this IServiceCollection services, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(services);
        OptionsBuilder<TOptions> builder = services.AddOptions<TOptions>();
        if (!services.Any(d => d.ServiceType == typeof(IValidateOptions<TOptions>) && d.ImplementationInstance is SectionValidator<TOptions>))
        {
            builder.BindConfiguration(section).ValidateOnStart();
            services.TryAddEnumerable(ServiceDescriptor.Singleton<IValidateOptions<TOptions>>(new SectionValidator<TOptions>(section)));
            services.AddSingleton(new OptionsSection(section, typeof(TOptions)));
        }

        return builder;
    }
}
