using System.ComponentModel.DataAnnotations;
using System.Globalization;

namespace Thaw.Inference.Settings;

/// <summary>
/// A duration's inclusive bounds, written as <c>c</c>-format strings (<c>"00:00:01"</c>, <c>"1.00:00:00"</c>).
/// <c>[Range(typeof(TimeSpan), ...)]</c> converts its bounds through <c>TypeDescriptor</c> at run time, which the
/// trimmer cannot follow (Thaw's host publishes as Native AOT); this parses them itself. Messages read as a
/// <c>[Range]</c>'s do (<see cref="OptionsValidation"/>).
/// </summary>
[AttributeUsage(AttributeTargets.Property, AllowMultiple = false)]
public sealed class TimeSpanRangeAttribute(string minimum, string maximum) : ValidationAttribute
{
    public TimeSpan Minimum { get; } = TimeSpan.ParseExact(minimum, "c", CultureInfo.InvariantCulture);

    public TimeSpan Maximum { get; } = TimeSpan.ParseExact(maximum, "c", CultureInfo.InvariantCulture);

    /// <summary>Unset (null) is valid, as with <c>[Range]</c>: <c>[Required]</c> says whether a value must be there.</summary>
    public override bool IsValid(object? value) => value switch
    {
        null => true,
        TimeSpan duration => duration >= Minimum && duration <= Maximum,
        _ => false,
    };
}
