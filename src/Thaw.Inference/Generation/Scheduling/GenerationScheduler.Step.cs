using System.Runtime.InteropServices;
using Thaw.Inference.Batching;
using Thaw.Inference.Generation.Decoding;
using Thaw.Inference.Generation.Sampling;

namespace Thaw.Inference.Generation.Scheduling;

public sealed partial class GenerationScheduler
{
    private void RunSteps()
    {
        try
        {
            while (true)
            {
                Step? step;
                lock (_gate)
                {
                    step = PlanLocked();
                    if (step is null)
                    {
                        _stepping = false;
                        SignalDrainedLocked();
                        return;
                    }
                }

                Execute(step);
            }
        }
        catch (Exception e)
        {
            // Only a bug gets here (session and sampler failures are handled per step and per request): close
            // rather than leave every stream waiting on a loop that no longer runs.
            LogLoopFailed(_logger, _name, e);
            Abort(new InvalidOperationException($"Bug: the generation loop of '{_name}' failed and takes no more work.", e));
            lock (_gate)
            {
                _metrics?.SlotsInUse(_name, -(_running[0] + _running[1]));
                Array.Clear(_slots);
                _running.AsSpan().Clear();
                _stepping = false;
                SignalDrainedLocked();
            }
        }
    }

    /// <summary>Retires ended requests, admits waiting ones, and chooses this step's rows; null when there is nothing to do.</summary>
    private Step? PlanLocked()
    {
        var step = new Step();
        for (int slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is { } sequence && (sequence.Finished || sequence.Abandoned))
            {
                _slots[slot] = null;
                _running[(int)sequence.Profile]--;
                _metrics?.SlotsInUse(_name, -1);
                step.Resets.Add(slot);
            }
        }

        if (!_aborted)
        {
            AdmitLocked();
        }

        var prefilling = new List<Sequence>();
        for (int slot = 0; slot < _slots.Length; slot++)
        {
            if (_slots[slot] is not { } sequence)
            {
                continue;
            }

            if (sequence.HasPending)
            {
                step.Add(new DecoderInput(slot, sequence.Pending), sequence, promptChunk: 0, samples: true);
            }
            else if (!sequence.PromptDone)
            {
                prefilling.Add(sequence);
            }
        }

        // Interactive prompts first, then oldest first: finishing one prompt before starting the next gives the
        // lowest mean time to first token for the same budget.
        prefilling.Sort(static (a, b) => a.Profile != b.Profile ? a.Profile.CompareTo(b.Profile) : a.Order.CompareTo(b.Order));
        int budget = (_running[(int)BatchProfileKind.Interactive] > 0 ? _options.Interactive : _options.Bulk).MaxPrefillTokensPerStep;
        foreach (Sequence sequence in prefilling)
        {
            int chunk = Math.Min(budget, sequence.Request.PromptTokens.Length - sequence.PromptFed);
            if (chunk == 0)
            {
                break;
            }

            budget -= chunk;
            bool last = sequence.PromptFed + chunk == sequence.Request.PromptTokens.Length;
            step.Add(new DecoderInput(sequence.Slot, sequence.Request.PromptTokens.Slice(sequence.PromptFed, chunk)), sequence, chunk, samples: last);
        }

        return step.Resets.Count == 0 && step.Inputs.Count == 0 ? null : step;
    }

    /// <summary>Moves waiting requests into free slots: interactive before bulk, each within its profile's slot share.</summary>
    private void AdmitLocked()
    {
        if (_options.Mode == SchedulingMode.Static && _running[0] + _running[1] > 0)
        {
            return;
        }

        foreach (BatchProfileKind profile in (ReadOnlySpan<BatchProfileKind>)[BatchProfileKind.Interactive, BatchProfileKind.Bulk])
        {
            LinkedList<Sequence> queue = Queue(profile);
            int cap = Settings(profile).MaxSlots ?? _slots.Length;
            while (queue.First is { } node && _running[(int)profile] < cap)
            {
                int slot = Array.IndexOf(_slots, null);
                if (slot < 0)
                {
                    return;
                }

                Sequence sequence = node.Value;
                queue.RemoveFirst();
                sequence.Node = null;
                sequence.Slot = slot;
                _slots[slot] = sequence;
                _running[(int)profile]++;
                _metrics?.Queued(_name, ProfileTag(profile), -1);
                _metrics?.SlotsInUse(_name, 1);
            }
        }
    }

    /// <summary>How many of the profile's waiting requests the next step would admit; more than that wait, and count against the queue bound.</summary>
    private int AdmissibleNowLocked(BatchProfileKind profile)
    {
        int running = _running[0] + _running[1];
        if (_options.Mode == SchedulingMode.Static && running > 0)
        {
            return 0;
        }

        int free = _slots.Length - running;
        if (profile == BatchProfileKind.Bulk)
        {
            free -= _interactiveQueue.Count;
        }

        int share = (Settings(profile).MaxSlots ?? _slots.Length) - _running[(int)profile];
        return Math.Max(0, Math.Min(free, share));
    }

    private void Execute(Step step)
    {
        TimeSpan elapsed;
        try
        {
            foreach (int slot in step.Resets)
            {
                _session.Reset(slot);
            }

            if (step.Inputs.Count == 0)
            {
                return;
            }

            long started = _time.GetTimestamp();
            _session.Run(step.Inputs, _logits.AsSpan(0, step.Inputs.Count * _session.VocabSize), _abort.Token);
            elapsed = _time.GetElapsedTime(started);
        }
        catch (Exception e)
        {
            FailRunning(e);
            return;
        }

        Interlocked.Increment(ref _steps);
        Interlocked.Add(ref _promptTokens, step.PromptTokens);
        int generated = Sample(step);
        Interlocked.Add(ref _generatedTokens, generated);
        _metrics?.Step(_name, step.Inputs.Count, step.PromptTokens, generated, step.DecodeRows, elapsed);
    }

    /// <summary>
    /// The KV cache of every slot in the failed call is now unknown, and those not in it share the session: every
    /// running request gets the error and its slot is reset at the next step. Waiting requests stay queued.
    /// </summary>
    private void FailRunning(Exception exception)
    {
        int failed = 0;
        foreach (Sequence? sequence in _slots)
        {
            if (sequence is { Finished: false })
            {
                sequence.Finished = true;
                sequence.Stream.Fail(exception);
                failed++;
            }
        }

        if (!_abort.IsCancellationRequested)
        {
            LogStepFailed(_logger, _name, failed, exception);
        }
    }

    /// <summary>Samples each row that ended at a prompt's last token or decoded one; returns the tokens sampled.</summary>
    private int Sample(Step step)
    {
        int vocab = _session.VocabSize;
        int sampled = 0;
        for (int row = 0; row < step.Inputs.Count; row++)
        {
            Sequence sequence = step.Sequences[row];
            sequence.PromptFed += step.PromptChunks[row];
            sequence.HasPending = false;
            if (!step.Samples[row] || sequence.Abandoned)
            {
                continue;
            }

            SampledToken token;
            try
            {
                token = sequence.Request.Sampler.Next(_logits.AsSpan(row * vocab, vocab), CollectionsMarshal.AsSpan(sequence.Generated));
                if ((uint)token.Id >= (uint)vocab)
                {
                    throw new InvalidOperationException($"Bug: the sampler chose token {token.Id}, outside the vocabulary of {vocab}.");
                }
            }
            catch (Exception e)
            {
                LogSamplerFailed(_logger, _name, e);
                sequence.Finished = true;
                sequence.Stream.Fail(e);
                continue;
            }

            sampled++;
            sequence.Generated.Add(token.Id);
            if (sequence.Request.EosTokenIds.Contains(token.Id))
            {
                sequence.Finished = true;
                sequence.Stream.Finish(FinishReason.Stop, sequence.Generated.Count);
                continue;
            }

            Deliver(sequence, token);
            if (sequence.Generated.Count == sequence.Request.MaxTokens)
            {
                sequence.Finished = true;
                sequence.Stream.Finish(FinishReason.Length, sequence.Generated.Count);
                continue;
            }

            sequence.Pending[0] = token.Id;
            sequence.HasPending = true;
        }

        return sampled;
    }

    private void Deliver(Sequence sequence, SampledToken token)
    {
        long now = _time.GetTimestamp();
        if (sequence.Generated.Count == 1)
        {
            _metrics?.FirstToken(_name, _time.GetElapsedTime(sequence.SubmittedAt, now));
        }
        else
        {
            _metrics?.NextToken(_name, _time.GetElapsedTime(sequence.LastTokenAt, now));
        }

        sequence.LastTokenAt = now;
        sequence.Stream.TryDeliver(token);
    }

    /// <summary>One step's work: slots to reset first, then one decoder row per running request that has a token to feed.</summary>
    private sealed class Step
    {
        public List<int> Resets { get; } = [];

        public List<DecoderInput> Inputs { get; } = [];

        public List<Sequence> Sequences { get; } = [];

        public List<int> PromptChunks { get; } = [];

        public List<bool> Samples { get; } = [];

        public int PromptTokens { get; private set; }

        public int DecodeRows { get; private set; }

        public void Add(DecoderInput input, Sequence sequence, int promptChunk, bool samples)
        {
            Inputs.Add(input);
            Sequences.Add(sequence);
            PromptChunks.Add(promptChunk);
            Samples.Add(samples);
            PromptTokens += promptChunk;
            DecodeRows += promptChunk == 0 ? 1 : 0;
        }
    }
}
