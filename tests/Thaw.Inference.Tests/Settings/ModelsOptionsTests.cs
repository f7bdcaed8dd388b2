using Thaw.Inference.Settings;

namespace Thaw.Inference.Tests.Settings;

public sealed class ModelsOptionsTests
{
    [Fact]
    public void Validate_PrewarmRetryCapShorterThanTheFirstWait_FailsNamingBothKeys()
    {
        var options = new ModelsOptions { PrewarmRetryDelay = TimeSpan.FromMinutes(2), PrewarmRetryMaxDelay = TimeSpan.FromMinutes(1) };

        string problem = Assert.Single(OptionsValidation.Validate(options, ModelsOptions.SectionName));

        Assert.StartsWith("Thaw:Models:PrewarmRetryMaxDelay: 00:01:00 is shorter than Thaw:Models:PrewarmRetryDelay (00:02:00)", problem, StringComparison.Ordinal);
    }

    [Fact]
    public void Validate_PrewarmRetryCapEqualToTheFirstWait_Succeeds() =>
        Assert.Empty(OptionsValidation.Validate(new ModelsOptions { PrewarmRetryDelay = TimeSpan.FromMinutes(1), PrewarmRetryMaxDelay = TimeSpan.FromMinutes(1) }, ModelsOptions.SectionName));
}
