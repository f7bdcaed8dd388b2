using Microsoft.Extensions.Options;
using Thaw.Inference.Hosting;

namespace Thaw.Inference.Tests.Hosting;

public sealed class LimitsValidatorTests
{
    [Fact]
    public void Validate_Defaults_Succeed()
    {
        // The defaults once allowed 2048 inputs per request into a queue of 1024: every such request got 429.
        ValidateOptionsResult result = new LimitsValidator().Validate(null, new ThawOptions());

        Assert.True(result.Succeeded, result.FailureMessage);
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

        ValidateOptionsResult result = new LimitsValidator().Validate(null, options);

        Assert.True(result.Failed);
        Assert.Contains("Thaw:Limits:MaxInputs (100)", result.FailureMessage, StringComparison.Ordinal);
        Assert.Contains(queue, result.FailureMessage, StringComparison.Ordinal);
    }
}
