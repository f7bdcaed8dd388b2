using System.ComponentModel;
using System.Net;
using System.Reflection;
using System.Text.Json;
using Microsoft.Azure.Functions.Worker.Builder;
using Microsoft.Extensions.Configuration;
using Thaw.Functions.Tests.FunctionsHost;
using Thaw.Inference.Settings;
using Thaw.Testing;

namespace Thaw.Functions.Tests;

/// <summary>
/// local.settings.sample.json, which docs/functions.md tells Core Tools users to copy: every value is a setting the
/// app reads, and the worker starts on it (with Azurite's address instead of the default one's ports).
/// </summary>
public sealed class LocalSettingsSampleTests(Azurite azurite) : IClassFixture<Azurite>
{
    private const string DevelopmentStorage = "UseDevelopmentStorage=true";

    private static readonly string SamplePath = Path.GetFullPath(Path.Combine(FakeFunctionsHost.DefaultAppDirectory, "..", "..", "..", "..", "..", "local.settings.sample.json"));

    [Fact]
    public void Sample_EveryValue_IsASettingTheAppReads()
    {
        Dictionary<string, string> values = SampleValues();
        IReadOnlyList<OptionsSection> sections = SectionsOfTheApp(values);
        using JsonDocument metadata = JsonDocument.Parse(File.ReadAllText(Path.Combine(FakeFunctionsHost.DefaultAppDirectory, "functions.metadata")));
        string[] connections = [.. metadata.RootElement.EnumerateArray()
            .SelectMany(f => f.GetProperty("bindings").EnumerateArray())
            .Where(b => b.TryGetProperty("connection", out _)).Select(b => b.GetProperty("connection").GetString()!).Distinct()];
        string[] languages = [.. metadata.RootElement.EnumerateArray().Select(f => f.GetProperty("language").GetString()!).Distinct()];

        // Thaw's settings must be bound by a section the app registers; the host's own are the triggers' connections
        // and the worker runtime, which must be the indexed functions' language.
        string[] unknown = [.. values.Keys.Where(key => key switch
        {
            "FUNCTIONS_WORKER_RUNTIME" => false,
            _ when connections.Contains(key, StringComparer.Ordinal) => false,
            _ => !sections.Any(section => Binds(section, key.Replace("__", ":", StringComparison.Ordinal))),
        })];

        Assert.Empty(unknown);
        Assert.Equal([values["FUNCTIONS_WORKER_RUNTIME"]], languages);
        Assert.Contains(values.Keys, key => key.StartsWith("Thaw__", StringComparison.Ordinal));
    }

    [Fact]
    public void Binds_KeyNoSectionReads_IsUnknown()
    {
        IReadOnlyList<OptionsSection> sections = SectionsOfTheApp(SampleValues());

        Assert.Contains(sections, s => Binds(s, "Thaw:Models:Prewarm:0"));
        Assert.Contains(sections, s => Binds(s, "Thaw:Storage:ConnectionString"));
        Assert.DoesNotContain(sections, s => Binds(s, "Thaw:Models:Defualt"));
        Assert.DoesNotContain(sections, s => Binds(s, "Thaw:Models"));
        Assert.DoesNotContain(sections, s => Binds(s, "Thaw:NoSuchSection:Value"));
    }

    [Fact]
    public async Task StartAsync_TheSampleOnAzurite_StartsAnswersAndExitsWithZero()
    {
        Dictionary<string, string?> settings = SampleValues().ToDictionary(
            v => v.Key, v => (string?)(v.Value == DevelopmentStorage ? azurite.ConnectionString : v.Value));
        await using FakeFunctionsHost host = await FakeFunctionsHost.StartAsync(settings);
        using HttpClient client = host.CreateClient();

        using HttpResponseMessage models = await client.GetAsync(new Uri("/v1/models", UriKind.Relative));

        Assert.Equal(HttpStatusCode.OK, models.StatusCode);
        Assert.Equal(0, await host.StopAsync(FakeFunctionsHost.GracePeriod));
    }

    private static Dictionary<string, string> SampleValues()
    {
        using JsonDocument sample = JsonDocument.Parse(File.ReadAllText(SamplePath));
        return sample.RootElement.GetProperty("Values").EnumerateObject().ToDictionary(p => p.Name, p => p.Value.GetString()!);
    }

    /// <summary>The settings sections the Functions app registers (<see cref="OptionsSection"/>) with these values, from its own composition.</summary>
    private static IReadOnlyList<OptionsSection> SectionsOfTheApp(Dictionary<string, string> values)
    {
        FunctionsApplicationBuilder builder = FunctionsApplication.CreateBuilder([]);
        builder.Configuration.AddInMemoryCollection(values.Select(v => new KeyValuePair<string, string?>(v.Key.Replace("__", ":", StringComparison.Ordinal), v.Value)));
        builder.AddThawFunctions();
        using ServiceProvider services = builder.Services.BuildServiceProvider();
        return [.. services.GetServices<OptionsSection>().Distinct()];
    }

    /// <summary>Whether <paramref name="key"/> names a value the section's options bind (a property, a list's element, a dictionary's entry).</summary>
    private static bool Binds(OptionsSection section, string key) =>
        key.StartsWith(section.Path + ":", StringComparison.OrdinalIgnoreCase) && Binds(section.OptionsType, key[(section.Path.Length + 1)..].Split(':'));

    private static bool Binds(Type type, ReadOnlySpan<string> keys)
    {
        type = Nullable.GetUnderlyingType(type) ?? type;
        if (keys.IsEmpty)
        {
            return TypeDescriptor.GetConverter(type).CanConvertFrom(typeof(string));
        }

        if (type.IsArray)
        {
            return int.TryParse(keys[0], out _) && Binds(type.GetElementType()!, keys[1..]);
        }

        if (type.IsGenericType && type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IDictionary<,>)) is { } dictionary)
        {
            return Binds(dictionary.GetGenericArguments()[1], keys[1..]);
        }

        if (type.IsGenericType && type.GetInterfaces().Append(type).FirstOrDefault(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(IEnumerable<>)) is { } list)
        {
            return int.TryParse(keys[0], out _) && Binds(list.GetGenericArguments()[0], keys[1..]);
        }

        return type.GetProperty(keys[0], BindingFlags.Public | BindingFlags.Instance | BindingFlags.IgnoreCase) is { } property && Binds(property.PropertyType, keys[1..]);
    }
}
