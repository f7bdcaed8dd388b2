namespace Thaw.Inference.Tests.Jobs;

/// <summary>Tests that measure the process's heap run alone, after the others, so no other test's allocations count.</summary>
[CollectionDefinition(nameof(MemoryMeasurement), DisableParallelization = true)]
public sealed class MemoryMeasurement;
