using Microsoft.Extensions.Options;

namespace Thaw.Inference.Batching;

/// <summary><c>Thaw:Batching</c>: the interactive profile (HTTP) at the top level, the bulk profile (queue jobs) under <c>Bulk</c>.</summary>
public sealed class BatchingOptions : BatchingProfile
{
    public const string SectionName = "Thaw:Batching";

    [ValidateObjectMembers]
    public BatchingProfile Bulk { get; set; } = BatchingProfile.BulkDefaults();
}
