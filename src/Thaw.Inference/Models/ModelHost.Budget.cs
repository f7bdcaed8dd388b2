using Microsoft.Extensions.Logging;

namespace Thaw.Inference.Models;

/// <summary>
/// The memory budget: least recently used evicted first, and a load never starts its model before its evictions have
/// given their memory back. Unloading frees the model's memory; the process and the runtime stay, so the next load
/// skips process start.
/// </summary>
public sealed partial class ModelHost
{
    /// <summary>Under <c>_gate</c>: evicts least-recently-used ready models until <paramref name="slot"/> fits the budget.</summary>
    /// <returns>The unloads to wait for before the new model is loaded.</returns>
    /// <exception cref="ModelTooLargeException">The model is larger than the budget.</exception>
    /// <exception cref="ModelNotReadyException">The models that do not fit beside it are all loading.</exception>
    private Task[] MakeRoom(ModelSlot slot)
    {
        var waits = _slots.Values.Where(s => s.Unloading is not null).Select(s => s.Unloading!).ToList();
        long budget = _options.MemoryBudgetBytes;
        if (budget == 0)
        {
            return [.. waits];
        }

        string modelId = slot.Id;
        if (slot.Bytes > budget)
        {
            throw new ModelTooLargeException(modelId, slot.Bytes, budget);
        }

        long used = _slots.Values.Where(s => s != slot && s.State is ModelState.Loading or ModelState.Ready).Sum(s => s.Bytes);
        foreach (ModelSlot victim in _slots.Values.Where(s => s != slot && s.State == ModelState.Ready).OrderBy(s => s.LastUse))
        {
            if (used + slot.Bytes <= budget)
            {
                break;
            }

            LogEvicting(victim.Id, modelId, budget);
            waits.Add(BeginUnload(victim));
            used -= victim.Bytes;
        }

        if (used + slot.Bytes > budget)
        {
            throw new ModelNotReadyException(modelId, ModelState.Loading, _options.RetryAfter,
                $"the memory budget (Thaw:Models:MemoryBudgetBytes, {budget} bytes) is taken by models that are loading; retry after {_options.RetryAfter.TotalSeconds:0} s.");
        }

        return [.. waits];
    }

    /// <summary>Under <c>_gate</c>: takes the model out of service and disposes it in the background (its accepted work finishes first).</summary>
    private Task BeginUnload(ModelSlot slot)
    {
        string modelId = slot.Id;
        ILoadedModel model = slot.Model ?? throw new InvalidOperationException($"Bug: unloading model '{modelId}', which is not loaded.");
        slot.Model = null;
        slot.Load = null;
        slot.State = ModelState.Unloading;
        var unloading = Task.Run(async () =>
        {
            await model.DisposeAsync().ConfigureAwait(false);
            lock (_gate)
            {
                slot.Unloading = null;
                if (slot.State == ModelState.Unloading)
                {
                    slot.State = ModelState.Cold;
                }
            }

            LogUnloaded(modelId);
            await _keepAlive.FlushAsync(modelId).ConfigureAwait(false);
        });
        slot.Unloading = unloading;
        Track(unloading);
        return unloading;
    }

    [LoggerMessage(EventId = 210, Level = LogLevel.Information, Message = "Model {ModelId}: evicted to make room for {ModelToLoad} (memory budget {Budget} bytes)")]
    private partial void LogEvicting(string modelId, string modelToLoad, long budget);

    [LoggerMessage(EventId = 212, Level = LogLevel.Information, Message = "Model {ModelId}: unloaded")]
    private partial void LogUnloaded(string modelId);
}
