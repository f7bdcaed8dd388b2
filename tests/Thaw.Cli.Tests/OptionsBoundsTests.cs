using System.ComponentModel.DataAnnotations;
using System.Globalization;
using System.Reflection;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;
using Thaw.Inference.KeepAlive;
using Thaw.Inference.Settings;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// Every bounded setting of every section <c>thaw serve</c> reads, just below, at and just above each bound: the
/// host refuses to start exactly when a value is out of range, with a message that names the key.
/// </summary>
public sealed class OptionsBoundsTests
{
    // A storage account makes the host read its storage sections too; nothing connects while options are checked.
    private static readonly Dictionary<string, string?> Storage = new() { ["Thaw:Storage:ConnectionString"] = "UseDevelopmentStorage=true" };

    public static TheoryData<string, string, string, bool> Bounds()
    {
        var data = new TheoryData<string, string, string, bool>();
        foreach (OptionsSection section in SectionsOfServe())
        {
            foreach (Bound bound in Ranges(section.OptionsType, section.Path))
            {
                foreach ((string value, bool valid) in Probes(bound))
                {
                    data.Add(section.Path, bound.Key, value, valid);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(Bounds))]
    public void Section_ValueAroundABound_IsRefusedExactlyWhenOutOfRange(string section, string key, string value, bool valid)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { [key] = value }).Build());
        // Several options types may bind one path (Thaw: the cache directory and the API keys); each is validated.
        foreach (OptionsSection registered in SectionsOfServe().Where(s => s.Path == section))
        {
            typeof(OptionsBoundsTests).GetMethod(nameof(Register), BindingFlags.NonPublic | BindingFlags.Static)!
                .MakeGenericMethod(registered.OptionsType).Invoke(null, [services, section]);
        }

        using ServiceProvider provider = services.BuildServiceProvider();
        IStartupValidator validator = provider.GetRequiredService<IStartupValidator>();

        // Rules across settings (e.g. Thaw:Limits:MaxInputs within each batcher's queue) may refuse an in-range value
        // together with the other defaults; this theory is about each setting's own bound.
        Exception? thrown = Record.Exception(validator.Validate);
        Assert.True(thrown is null or OptionsValidationException, $"not a validation failure: {thrown}");
        var refused = thrown as OptionsValidationException;
        string[] ownBound = refused?.Failures.Where(f => f.StartsWith($"{key} is ", StringComparison.Ordinal)).ToArray() ?? [];
        if (valid)
        {
            Assert.Empty(ownBound);
        }
        else
        {
            Assert.Contains($"{key} is {value}", Assert.Single(ownBound), StringComparison.Ordinal);
        }
    }

    [Fact]
    public void Serve_DiscoversEverySectionItReads()
    {
        string[] paths = [.. SectionsOfServe().Select(s => s.Path)];

        Assert.Contains("Thaw", paths);
        Assert.Contains("Thaw:Models", paths);
        Assert.Contains("Thaw:Batching", paths);
        Assert.Contains("Thaw:Limits", paths);
        Assert.Contains("Thaw:Generation", paths);
        Assert.Contains("Thaw:Jobs", paths);
        Assert.Contains("Thaw:KeepAlive", paths);
        Assert.Contains("Thaw:Onnx", paths);
        Assert.Contains("Thaw:Storage", paths);
        Assert.Contains("Thaw:Files", paths);
        Assert.True(Bounds().Count() > 100, $"only {Bounds().Count()} probes: the walk missed nested sections");
    }

    [Theory]
    [InlineData("Thaw:Batching:MaxBatchSize", "0", "Thaw:Batching:MaxBatchSize is 0; allowed: 1 to 4096.")]
    [InlineData("Thaw:Batching:Bulk:MaxBatchSize", "0", "Thaw:Batching:Bulk:MaxBatchSize is 0; allowed: 1 to 4096.")]
    [InlineData("Thaw:Limits:MaxInputs", "0", "Thaw:Limits:MaxInputs is 0; allowed: 1 to 1048576.")]
    [InlineData("Thaw:Models:MaxWaitingRequests", "0", "Thaw:Models:MaxWaitingRequests is 0; allowed: 1 to 1000000.")]
    [InlineData("Thaw:Models:Default", "", "Thaw:Models:Default is required.")]
    [InlineData("Thaw:KeepAlive:Policy", "lru", "Thaw:KeepAlive:Policy: unknown keep-alive policy 'lru'; known: fixed, histogram.")]
    public async Task Serve_BadValue_StopsTheHostAtStartNamingTheKey(string key, string value, string message)
    {
        Dictionary<string, string?> settings = RealModels.HostSettings();
        settings[key] = value;
        settings["Thaw:Models:Prewarm:0"] = "none";
        // Building the host may already read a section (Kestrel's limits); either way it never starts.
        OptionsValidationException refused = await Assert.ThrowsAsync<OptionsValidationException>(async () =>
        {
            await using WebApplication app = StandaloneHost.Build("http://127.0.0.1:0", settings);
            await app.StartAsync();
        });

        Assert.Contains(message, refused.Failures);
    }

    [Fact]
    public void Serve_EveryNestedSection_KeepsItsPropertiesInATrimmedHost()
    {
        // OptionsValidation reads a nested section's properties from the instance's type; in a trimmed (Native AOT)
        // host only NestedOptions' annotation keeps them, and without them the section's bounds go unchecked.
        Type[] nested = [.. SectionsOfServe().SelectMany(s => NestedSections(s.OptionsType)).Distinct()];
        Type[] unannotated = [.. nested.Where(t => !t.IsAssignableTo(typeof(NestedOptions)))];

        Assert.Contains(typeof(BatchingProfile), nested);
        Assert.Contains(typeof(HistogramKeepAliveOptions), nested);
        Assert.Empty(unannotated);
    }

    /// <summary>Registers one section as the host does, binding with the reflection binder (this test is not trimmed).</summary>
    private static void Register<TOptions>(IServiceCollection services, string section)
        where TOptions : class =>
        services.AddThawOptions<TOptions>(section, static (configuration, options) => configuration.Bind(options));

    private static IEnumerable<Type> NestedSections(Type options)
    {
        foreach (PropertyInfo property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            if (property.IsDefined(typeof(ValidateObjectMembersAttribute)))
            {
                yield return property.PropertyType;
                foreach (Type deeper in NestedSections(property.PropertyType))
                {
                    yield return deeper;
                }
            }
        }
    }

    private static IReadOnlyList<OptionsSection> SectionsOfServe()
    {
        Dictionary<string, string?> settings = RealModels.HostSettings();
        foreach ((string key, string? value) in Storage)
        {
            settings[key] = value;
        }

        using WebApplication app = StandaloneHost.Build("http://127.0.0.1:0", settings);
        return [.. app.Services.GetServices<OptionsSection>().Distinct()];
    }

    /// <summary>A setting's bounds, from <c>[Range]</c> or, for a duration, <c>[TimeSpanRange]</c>.</summary>
    private sealed record Bound(string Key, object Minimum, object Maximum, bool MinimumIsExclusive, bool MaximumIsExclusive, Type Type);

    private static IEnumerable<Bound> Ranges(Type options, string section)
    {
        foreach (PropertyInfo property in options.GetProperties(BindingFlags.Public | BindingFlags.Instance))
        {
            string key = $"{section}:{property.Name}";
            if (property.GetCustomAttribute<RangeAttribute>() is { } range)
            {
                range.IsValid(null); // converts Minimum and Maximum to the property's type
                yield return new Bound(key, range.Minimum, range.Maximum, range.MinimumIsExclusive, range.MaximumIsExclusive, property.PropertyType);
            }

            if (property.GetCustomAttribute<TimeSpanRangeAttribute>() is { } durations)
            {
                yield return new Bound(key, durations.Minimum, durations.Maximum, MinimumIsExclusive: false, MaximumIsExclusive: false, property.PropertyType);
            }

            if (property.IsDefined(typeof(ValidateObjectMembersAttribute)))
            {
                foreach (Bound nested in Ranges(property.PropertyType, key))
                {
                    yield return nested;
                }
            }
        }
    }

    /// <summary>Just below, at and just above each bound that the type can express.</summary>
    private static IEnumerable<(string Value, bool Valid)> Probes(Bound range)
    {
        Type type = range.Type;
        if ((Nullable.GetUnderlyingType(type) ?? type) == typeof(TimeSpan))
        {
            TimeSpan min = (TimeSpan)range.Minimum, max = (TimeSpan)range.Maximum, step = TimeSpan.FromMilliseconds(1);
            yield return (Format(min - step), false);
            yield return (Format(min), true);
            yield return (Format(max), true);
            yield return (Format(max + step), false);
            yield break;
        }

        double low = Convert.ToDouble(range.Minimum, CultureInfo.InvariantCulture);
        double high = Convert.ToDouble(range.Maximum, CultureInfo.InvariantCulture);
        Type value = Nullable.GetUnderlyingType(type) ?? type;
        bool integral = value == typeof(int) || value == typeof(long);
        double below = integral ? low - 1 : low - 0.001, above = integral ? high + 1 : high + 0.001;
        yield return (Format(below), false);
        yield return (Format(low), !range.MinimumIsExclusive);
        if (high < int.MaxValue)
        {
            yield return (Format(high), !range.MaximumIsExclusive);
            yield return (Format(above), false);
        }
    }

    private static string Format(TimeSpan value) => value.ToString("c", CultureInfo.InvariantCulture);

    private static string Format(double value) => value.ToString(CultureInfo.InvariantCulture);
}
