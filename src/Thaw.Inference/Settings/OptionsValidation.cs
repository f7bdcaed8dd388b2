using System.Collections;
using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using System.Globalization;
using System.Reflection;
using Microsoft.Extensions.Options;

namespace Thaw.Inference.Settings;

/// <summary>
/// The one way Thaw checks its settings: DataAnnotations on each property (<c>[Range]</c>, <c>[Required]</c>, ...),
/// <see cref="IValidatableObject"/> for rules across properties, and <see cref="ValidateObjectMembersAttribute"/> to
/// descend into a nested section. Every message names the configuration key, the value and what is allowed, e.g.
/// <c>Thaw:Batching:MaxBatchSize is 0; allowed: 1 to 4096.</c>
/// </summary>
public static class OptionsValidation
{
    /// <summary>The problems of <paramref name="options"/>, bound from <paramref name="section"/>; empty when it is valid.</summary>
    /// <remarks>
    /// Trim-safe: <typeparamref name="TOptions"/> keeps its public properties and their attributes, and so does the
    /// type of every nested section (<see cref="NestedOptions"/>).
    /// </remarks>
    public static IReadOnlyList<string> Validate<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(TOptions options, string section)
        where TOptions : class
    {
        ArgumentNullException.ThrowIfNull(options);
        var problems = new List<string>();
        Walk(options, typeof(TOptions), section, problems);
        return problems;
    }

    /// <summary>Throws when <paramref name="options"/> is invalid; for settings that do not come from a host (e.g. a command's flags).</summary>
    /// <exception cref="ArgumentException">The settings are invalid; the message lists every problem with its key.</exception>
    public static void ThrowIfInvalid<[DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] TOptions>(TOptions options, string section)
        where TOptions : class
    {
        IReadOnlyList<string> problems = Validate(options, section);
        if (problems.Count > 0)
        {
            throw new ArgumentException(string.Join(" ", problems));
        }
    }

    private static void Walk(object options, [DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)] Type type, string section, List<string> problems)
    {
        foreach (PropertyInfo property in type.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.GetIndexParameters().Length > 0)
            {
                continue;
            }

            string key = $"{section}:{property.Name}";
            object? value = property.GetValue(options);
            foreach (ValidationAttribute attribute in property.GetCustomAttributes<ValidationAttribute>())
            {
                if (!attribute.IsValid(value))
                {
                    problems.Add(Describe(attribute, key, value));
                }
            }

            if (value is not null && property.IsDefined(typeof(ValidateObjectMembersAttribute)))
            {
                NestedOptions nested = value as NestedOptions ?? throw new InvalidOperationException(
                    $"{key} ([ValidateObjectMembers]) holds a {value.GetType()}, which does not derive from {nameof(NestedOptions)}: a bug (a trimmed host would not check it).");
                Walk(nested, TypeOf(nested), key, problems);
            }
        }

        if (options is IValidatableObject validatable)
        {
            // This constructor takes the display name instead of looking it up by reflection (trim-safe).
            foreach (ValidationResult result in validatable.Validate(new ValidationContext(options, section, serviceProvider: null, items: null)))
            {
                string keys = string.Join(", ", result.MemberNames.Select(m => $"{section}:{m}"));
                problems.Add(keys.Length == 0 ? $"{section}: {result.ErrorMessage}" : $"{keys}: {result.ErrorMessage}");
            }
        }
    }

    // The trimmer (ILLink, and ILC for Native AOT) applies NestedOptions' [DynamicallyAccessedMembers] to every type
    // derived from it and treats GetType() on a NestedOptions as so annotated; the build's analyzer does not model that
    // and warns anyway. tests/bench/published-host-checks.sh checks nested sections in the AOT publish.
    [UnconditionalSuppressMessage("Trimming", "IL2073", Justification = "NestedOptions is annotated [DynamicallyAccessedMembers(PublicProperties)], which the trimmer keeps on every derived type.")]
    [return: DynamicallyAccessedMembers(DynamicallyAccessedMemberTypes.PublicProperties)]
    private static Type TypeOf(NestedOptions section) => section.GetType();

    private static string Describe(ValidationAttribute attribute, string key, object? value) => attribute switch
    {
        RequiredAttribute => $"{key} is required.",
        TimeSpanRangeAttribute range => $"{key} is {Show(value)}; allowed: {Show(range.Minimum)} to {Show(range.Maximum)}.",
        RangeAttribute range => $"{key} is {Show(value)}; allowed: {Allowed(range)}.",
        _ => $"{key} is {Show(value)}: {attribute.FormatErrorMessage(key)}",
    };

    private static string Allowed(RangeAttribute range)
    {
        bool unbounded = range.Maximum is int.MaxValue or long.MaxValue or double.MaxValue;
        if (!range.MinimumIsExclusive && !range.MaximumIsExclusive && !unbounded)
        {
            return $"{Show(range.Minimum)} to {Show(range.Maximum)}";
        }

        string lower = range.MinimumIsExclusive ? $"more than {Show(range.Minimum)}" : $"at least {Show(range.Minimum)}";
        string upper = range.MaximumIsExclusive ? $"less than {Show(range.Maximum)}" : $"at most {Show(range.Maximum)}";
        return unbounded ? lower : $"{lower} and {upper}";
    }

    private static string Show(object? value) => value switch
    {
        null => "empty",
        string s => $"'{s}'",
        IEnumerable items and not string => $"[{string.Join(", ", items.Cast<object?>().Select(Show))}]",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };
}
