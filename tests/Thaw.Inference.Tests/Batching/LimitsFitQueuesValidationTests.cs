using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;
using Thaw.Inference.Settings;

namespace Thaw.Inference.Tests.Batching;

public sealed class LimitsFitQueuesValidationTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        // The defaults once allowed 2048 inputs per request into a queue of 1024: every such request got 429.
        IReadOnlyList<string> problems =
        [
            .. OptionsValidation.Validate(new LimitsOptions(), LimitsOptions.SectionName),
            .. OptionsValidation.Validate(new BatchingOptions(), BatchingOptions.SectionName),
            .. Failures(new LimitsOptions(), new BatchingOptions()),
        ];

        Assert.Empty(problems);
    }

    [Theory]
    [InlineData(100, 99, 1000, "Thaw:Batching:MaxQueuedInputs (99)")]
    [InlineData(100, 1000, 99, "Thaw:Batching:Bulk:MaxQueuedInputs (99)")]
    public void Validate_MaxInputsAboveAQueue_FailsNamingBothKeys(int maxInputs, int interactiveQueue, int bulkQueue, string queue)
    {
        var limits = new LimitsOptions { MaxInputs = maxInputs };
        var batching = new BatchingOptions { MaxQueuedInputs = interactiveQueue, Bulk = { MaxQueuedInputs = bulkQueue } };

        string problem = Assert.Single(Failures(limits, batching));

        Assert.Contains("Thaw:Limits:MaxInputs (100)", problem, StringComparison.Ordinal);
        Assert.Contains(queue, problem, StringComparison.Ordinal);
    }

    private static IEnumerable<string> Failures(LimitsOptions limits, BatchingOptions batching) =>
        new LimitsFitQueuesValidation(Options.Create(batching)).Validate(Options.DefaultName, limits).Failures ?? [];
}
