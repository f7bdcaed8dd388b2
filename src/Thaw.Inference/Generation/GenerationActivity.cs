using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Models;

namespace Thaw.Inference.Generation;

/// <summary>A text-generation model's scheduler: its counts, the KV slots it owns and the tokens each slot holds.</summary>
public sealed record GenerationActivity(SchedulerStatistics Scheduler, int Slots, int ContextLength) : ModelActivity;
