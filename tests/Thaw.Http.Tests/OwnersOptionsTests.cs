using Microsoft.Extensions.Options;
using Thaw.Http.Security;
using Thaw.Inference.Settings;

namespace Thaw.Http.Tests;

/// <summary>
/// <c>Thaw:Owners</c> is checked at start (issue 16): the host refuses a bad owner name, a key under two owners and a
/// <c>default</c> section, with a message that names the configuration key and never the API key itself.
/// </summary>
public sealed class OwnersOptionsTests
{
    public static TheoryData<string, string, string> Refused => new()
    {
        { "Thaw:Owners:Team-A:0", "Thaw:Owners:Team-A", "not an owner name" },
        { "Thaw:Owners:team_a:0", "Thaw:Owners:team_a", "not an owner name" },
        { $"Thaw:Owners:{new string('a', 65)}:0", $"Thaw:Owners:{new string('a', 65)}", "not an owner name" },
        { "Thaw:Owners:default:0", "Thaw:Owners:default", "list its keys there" },
    };

    [Theory]
    [MemberData(nameof(Refused))]
    public void Owners_BadSection_IsRefusedNamingIt(string setting, string named, string reason)
    {
        OptionsValidationException refused = Assert.Throws<OptionsValidationException>(() => Validate(new() { [setting] = "secret-key-1" }));

        string failure = Assert.Single(refused.Failures);
        Assert.StartsWith(named + ":", failure, StringComparison.Ordinal);
        Assert.Contains(reason, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key-1", failure, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("Thaw:ApiKeys:1", "Thaw:Owners:team-a:0", "Thaw:ApiKeys:1")]
    [InlineData("Thaw:Owners:team-b:2", "Thaw:Owners:team-b:2", "Thaw:Owners:team-a:0")]
    public void Owners_KeyUnderTwoOwners_IsRefusedNamingBothPlaces(string second, string named, string first)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Thaw:ApiKeys:0"] = "other-key",
            ["Thaw:Owners:team-a:0"] = "secret-key-1",
            [second] = " secret-key-1 ",
            ["Thaw:Owners:team-b:0"] = "b-key",
            ["Thaw:Owners:team-b:1"] = "b-key-2",
        };

        OptionsValidationException refused = Assert.Throws<OptionsValidationException>(() => Validate(settings));

        string failure = Assert.Single(refused.Failures);
        Assert.StartsWith(named + ":", failure, StringComparison.Ordinal);
        Assert.Contains(first, failure, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key-1", failure, StringComparison.Ordinal);
    }

    [Fact]
    public void Owners_ValidSections_PassAndEnableAuthentication()
    {
        ApiKeyOptions options = Validate(new()
        {
            ["Thaw:Owners:team-a:0"] = "a-key",
            ["Thaw:Owners:team-a:1"] = "a-key",
            [$"Thaw:Owners:{new string('a', 64)}:0"] = "long-key",
            ["Thaw:Owners:0-9-z:0"] = "digits-key",
        });

        Assert.True(options.Enabled);
        Assert.Equal(["a-key", "a-key"], options.Owners["team-a"]);
        Assert.False(new ApiKeyOptions().Enabled);
    }

    [Fact]
    public async Task Host_WithAKeyUnderTwoOwners_RefusesToStart()
    {
        OptionsValidationException refused = await Assert.ThrowsAsync<OptionsValidationException>(() => ThawApiServer.StartAsync(new()
        {
            ["Thaw:Owners:team-a:0"] = "secret-key-1",
            ["Thaw:Owners:team-b:0"] = "secret-key-1",
        }));

        Assert.Contains("Thaw:Owners:team-b:0: the same key as Thaw:Owners:team-a:0", refused.Message, StringComparison.Ordinal);
        Assert.DoesNotContain("secret-key-1", refused.Message, StringComparison.Ordinal);
    }

    private static ApiKeyOptions Validate(Dictionary<string, string?> settings)
    {
        var services = new ServiceCollection();
        services.AddSingleton<IConfiguration>(new ConfigurationBuilder().AddInMemoryCollection(settings).Build());
        services.AddThawOptions<ApiKeyOptions>("Thaw", static (section, options) => section.Bind(options));
        using ServiceProvider provider = services.BuildServiceProvider();
        provider.GetRequiredService<IStartupValidator>().Validate();
        return provider.GetRequiredService<IOptions<ApiKeyOptions>>().Value;
    }
}
