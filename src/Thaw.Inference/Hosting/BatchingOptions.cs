using Microsoft.Extensions.Options;
using Thaw.Inference.Batching;

namespace Thaw.Inference.Hosting;

/// <summary><c>Thaw:Batching</c>: the interactive profile (HTTP) at the top level, the bulk profile (queue jobs) under <c>Bulk</c>.</summary>
public sealed class BatchingOptions : BatchingProfile
{
    [ValidateObjectMembers]
    public BatchingProfile Bulk { get; set; } = BatchingProfile.BulkDefaults();
}
