using Thaw.Inference.Hosting;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Tests.Hosting;

public sealed class ThawOptionsLimitsTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        // The defaults once allowed 2048 inputs per request into a queue of 1024: every such request got 429.
        IReadOnlyList<string> problems = OptionsValidation.Validate(new ThawOptions(), "Thaw");

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData(100, 99, 1000, "Thaw:Batching:MaxQueuedInputs (99)")]
    [InlineData(100, 1000, 99, "Thaw:Batching:Bulk:MaxQueuedInputs (99)")]
    public void Validate_MaxInputsAboveAQueue_FailsNamingBothKeys(int maxInputs, int interactiveQueue, int bulkQueue, string queue)
    {
        var options = new ThawOptions
        {
            Limits = { MaxInputs = maxInputs },
            Batching = { MaxQueuedInputs = interactiveQueue, Bulk = { MaxQueuedInputs = bulkQueue } },
        };

        string problem = Assert.Single(OptionsValidation.Validate(options, "Thaw"));

        Assert.Contains("Thaw:Limits:MaxInputs (100)", problem, StringComparison.Ordinal);
        Assert.Contains(queue, problem, StringComparison.Ordinal);
    }
}
