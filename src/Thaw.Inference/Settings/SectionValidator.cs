using System.Diagnostics.CodeAnalysis;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Settings;

/// <summary>Validates one configuration section's options with <see cref="OptionsValidation"/>, naming its keys.</summary>
internal sealed class SectionValidator<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(string section)
    : IValidateOptions<TOptions>
    where TOptions : class
{
    public ValidateOptionsResult Validate(string? name, TOptions options)
    {
        IReadOnlyList<string> problems = OptionsValidation.Validate(options, section);
        return problems.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(problems);
    }
}
