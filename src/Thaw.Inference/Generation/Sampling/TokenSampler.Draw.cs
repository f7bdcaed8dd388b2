using System.Buffers;

namespace Thaw.Inference.Generation.Sampling;

public sealed partial class TokenSampler
{
    /// <summary>Temperature, then top_k, then top_p (vLLM's and Hugging Face's order), then one draw.</summary>
    private int Draw(ReadOnlySpan<float> logits)
    {
        double max = Max(logits);
        double inverseTemperature = 1 / _parameters.Temperature;
        int topK = _parameters.TopK;
        double topP = _parameters.TopP;
        if ((topK == 0 || topK >= logits.Length) && topP >= 1)
        {
            return DrawFromAll(logits, max, inverseTemperature);
        }

        Candidate[] rented = ArrayPool<Candidate>.Shared.Rent(topK is > 0 && topK < logits.Length ? topK : logits.Length);
        try
        {
            double total;
            Span<Candidate> candidates = topK is > 0 && topK < logits.Length
                ? TopK(logits, topK, rented, max, inverseTemperature, out total)
                : Nucleus(logits, topP, rented, max, inverseTemperature, out total);
            if (topP < 1)
            {
                candidates = candidates[..NucleusLength(candidates, topP * total)];
            }

            return DrawFrom(candidates);
        }
        finally
        {
            ArrayPool<Candidate>.Shared.Return(rented);
        }
    }

    private int DrawFromAll(ReadOnlySpan<float> logits, double max, double inverseTemperature)
    {
        double total = 0;
        foreach (float x in logits)
        {
            total += Math.Exp((x - max) * inverseTemperature);
        }

        double target = _random.NextDouble() * total;
        double cumulative = 0;
        int last = 0;
        for (int id = 0; id < logits.Length; id++)
        {
            double weight = Math.Exp((logits[id] - max) * inverseTemperature);
            if (weight > 0)
            {
                cumulative += weight;
                last = id;
                if (target < cumulative)
                {
                    return id;
                }
            }
        }

        // Rounding left the target at the very top of the total: the last token with any weight takes it.
        return last;
    }

    private int DrawFrom(ReadOnlySpan<Candidate> candidates)
    {
        double total = 0;
        foreach (Candidate candidate in candidates)
        {
            total += candidate.Value;
        }

        double target = _random.NextDouble() * total;
        double cumulative = 0;
        foreach (Candidate candidate in candidates)
        {
            cumulative += candidate.Value;
            if (target < cumulative)
            {
                return candidate.Id;
            }
        }

        return candidates[^1].Id;
    }

    /// <summary>The k most likely tokens, most likely first, each with its weight exp((logit − max) / temperature).</summary>
    private static Span<Candidate> TopK(ReadOnlySpan<float> logits, int k, Candidate[] buffer, double max, double inverseTemperature, out double total)
    {
        // A min-heap of the k best so far, its worst at the root.
        Span<Candidate> heap = buffer.AsSpan(0, k);
        for (int id = 0; id < k; id++)
        {
            heap[id] = new Candidate(id, logits[id]);
            SiftUp(heap, id);
        }

        for (int id = k; id < logits.Length; id++)
        {
            var candidate = new Candidate(id, logits[id]);
            if (MostLikelyFirst.Before(candidate, heap[0]))
            {
                heap[0] = candidate;
                SiftDown(heap, 0);
            }
        }

        heap.Sort(MostLikelyFirst.Compare);
        total = 0;
        foreach (ref Candidate candidate in heap)
        {
            candidate.Value = Math.Exp((candidate.Value - max) * inverseTemperature);
            total += candidate.Value;
        }

        return heap;
    }

    /// <summary>
    /// The tokens that can be in the nucleus, most likely first, with their weights. Only tokens of probability at
    /// least (1 − top_p) / vocabulary can: all the others together hold less than 1 − top_p, so the ones kept hold
    /// more than top_p and the nucleus ends among them. That spares sorting the whole vocabulary for every token.
    /// </summary>
    private static Span<Candidate> Nucleus(ReadOnlySpan<float> logits, double topP, Candidate[] buffer, double max, double inverseTemperature, out double total)
    {
        total = 0;
        foreach (float x in logits)
        {
            total += Math.Exp((x - max) * inverseTemperature);
        }

        double floor = total * (1 - topP) / logits.Length;
        int kept = 0;
        for (int id = 0; id < logits.Length; id++)
        {
            double weight = Math.Exp((logits[id] - max) * inverseTemperature);
            if (weight >= floor && weight > 0)
            {
                buffer[kept++] = new Candidate(id, weight);
            }
        }

        Span<Candidate> candidates = buffer.AsSpan(0, kept);
        candidates.Sort(MostLikelyFirst.Compare);
        return candidates;
    }

    /// <summary>
    /// How many of the candidates (most likely first) make the smallest set whose weight reaches
    /// <paramref name="needed"/> (top_p times the weight of the distribution being truncated).
    /// </summary>
    internal static int NucleusLength(ReadOnlySpan<Candidate> candidates, double needed)
    {
        double cumulative = 0;
        for (int i = 0; i < candidates.Length; i++)
        {
            cumulative += candidates[i].Value;
            if (cumulative >= needed)
            {
                return i + 1;
            }
        }

        return candidates.Length;
    }

    private static void SiftUp(Span<Candidate> heap, int at)
    {
        while (at > 0)
        {
            int parent = (at - 1) / 2;
            if (!MostLikelyFirst.Before(heap[parent], heap[at]))
            {
                return;
            }

            (heap[parent], heap[at]) = (heap[at], heap[parent]);
            at = parent;
        }
    }

    private static void SiftDown(Span<Candidate> heap, int at)
    {
        while (true)
        {
            int worst = at;
            foreach (int child in (ReadOnlySpan<int>)[(2 * at) + 1, (2 * at) + 2])
            {
                if (child < heap.Length && MostLikelyFirst.Before(heap[worst], heap[child]))
                {
                    worst = child;
                }
            }

            if (worst == at)
            {
                return;
            }

            (heap[worst], heap[at]) = (heap[at], heap[worst]);
            at = worst;
        }
    }
}
