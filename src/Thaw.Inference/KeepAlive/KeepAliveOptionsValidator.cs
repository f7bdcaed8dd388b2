using Microsoft.Extensions.Options;

namespace Thaw.Inference.KeepAlive;

/// <summary>Fails host start on an unknown policy or an impossible setting, with the message that names it.</summary>
internal sealed class KeepAliveOptionsValidator : IValidateOptions<KeepAliveOptions>
{
    public ValidateOptionsResult Validate(string? name, KeepAliveOptions options)
    {
        try
        {
            KeepAlivePolicies.Create(options);
            options.Histogram.Validate();
            return ValidateOptionsResult.Success;
        }
        catch (ArgumentException e)
        {
            return ValidateOptionsResult.Fail($"{KeepAliveOptions.SectionName}: {e.Message}");
        }
    }
}
