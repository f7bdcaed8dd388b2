using Thaw.Inference.Hosting;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Tests.Hosting;

public sealed class GenerationOptionsTests
{
    [Fact]
    public void Validate_GenerationDefaults_Succeed()
    {
        Assert.Empty(OptionsValidation.Validate(new ThawOptions(), "Thaw"));
    }

    [Fact]
    public void Validate_ProfileOutOfRange_NamesTheKey()
    {
        var options = new ThawOptions { Generation = { Interactive = { MaxPrefillTokensPerStep = 0 }, Bulk = { MaxSlots = 0 } } };

        IReadOnlyList<string> problems = OptionsValidation.Validate(options, "Thaw");

        Assert.Contains(problems, p => p.Contains("Thaw:Generation:Interactive:MaxPrefillTokensPerStep", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Thaw:Generation:Bulk:MaxSlots", StringComparison.Ordinal));
    }
}
