using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Tests.Generation.Scheduling;

public sealed class GenerationSchedulerOptionsTests
{
    [Fact]
    public void Validate_GenerationDefaults_Succeed()
    {
        Assert.Empty(OptionsValidation.Validate(new GenerationSchedulerOptions(), GenerationSchedulerOptions.SectionName));
    }

    [Fact]
    public void Validate_ProfileOutOfRange_NamesTheKey()
    {
        var options = new GenerationSchedulerOptions { Interactive = { MaxPrefillTokensPerStep = 0 }, Bulk = { MaxSlots = 0 } };

        IReadOnlyList<string> problems = OptionsValidation.Validate(options, GenerationSchedulerOptions.SectionName);

        Assert.Contains(problems, p => p.Contains("Thaw:Generation:Interactive:MaxPrefillTokensPerStep", StringComparison.Ordinal));
        Assert.Contains(problems, p => p.Contains("Thaw:Generation:Bulk:MaxSlots", StringComparison.Ordinal));
    }
}
