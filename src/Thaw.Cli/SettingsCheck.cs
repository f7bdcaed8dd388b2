using Microsoft.Extensions.Options;

namespace Thaw.Cli;

/// <summary>
/// Checks every setting a host binds, as its start would (<c>ValidateOnStart</c>), for commands that build a host
/// without starting it (<c>thaw models</c>, <c>thaw snapshot</c>) and for <c>thaw serve</c> before it listens.
/// </summary>
internal static class SettingsCheck
{
    /// <exception cref="OptionsValidationException">A setting is out of range; its failures name the keys.</exception>
    public static void Validate(IServiceProvider services) => services.GetRequiredService<IStartupValidator>().Validate();
}
