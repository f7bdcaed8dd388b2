using System.Buffers;

namespace Thaw.Inference.Generation.Sampling;

public sealed partial class TokenSampler
{
    /// <summary>Temperature, then top_k, then top_p (vLLM's and Hugging Face's order), then one draw.</summary>
    private int Draw(ReadOnlySpan<float> logits, Span<float> weights)
    {
        double total = Weights.Exp(logits, Weights.Max(logits), (float)(1 / _parameters.Temperature), weights);
        int topK = _parameters.TopK is > 0 and var k && k < logits.Length ? k : 0;
        double topP = _parameters.TopP;
        if (topK == 0 && topP >= 1)
        {
            return DrawFromAll(weights[..logits.Length], total);
        }

        Candidate[] rented = ArrayPool<Candidate>.Shared.Rent(topK > 0 ? topK : logits.Length);
        try
        {
            Span<Candidate> candidates = topK > 0
                ? TopK(logits, weights, topK, rented, out total)
                : NucleusCandidates(weights[..logits.Length], total, topP, rented);
            if (topP < 1)
            {
                candidates = candidates[..SelectNucleus(candidates, topP * total)];
            }

            return DrawFrom(candidates);
        }
        finally
        {
            ArrayPool<Candidate>.Shared.Return(rented);
        }
    }

    private int DrawFromAll(ReadOnlySpan<float> weights, double total)
    {
        double target = _random.NextDouble() * total;
        double cumulative = 0;
        int last = 0;
        for (int id = 0; id < weights.Length; id++)
        {
            if (weights[id] > 0)
            {
                cumulative += weights[id];
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

    /// <summary>The k most likely tokens (in heap order) with their weights, and the sum of those weights.</summary>
    private static Span<Candidate> TopK(ReadOnlySpan<float> logits, ReadOnlySpan<float> weights, int k, Candidate[] buffer, out double total)
    {
        // A min-heap of the k best so far by logit, its worst at the root.
        Span<Candidate> heap = buffer.AsSpan(0, k);
        for (int id = 0; id < k; id++)
        {
            heap[id] = new Candidate(id, logits[id]);
            SiftUp(heap, id);
        }

        for (int id = k; id < logits.Length; id++)
        {
            if (logits[id] > heap[0].Value)
            {
                heap[0] = new Candidate(id, logits[id]);
                SiftDown(heap, 0);
            }
        }

        total = 0;
        foreach (ref Candidate candidate in heap)
        {
            candidate.Value = weights[candidate.Id];
            total += candidate.Value;
        }

        return heap;
    }

    /// <summary>
    /// The tokens that can be in the nucleus, with their weights. Only tokens of probability at least
    /// (1 − top_p) / vocabulary can: all the others together hold less than 1 − top_p, so the ones kept hold more than
    /// top_p and the nucleus ends among them. For a trained model that leaves a handful of the vocabulary.
    /// </summary>
    private static Span<Candidate> NucleusCandidates(ReadOnlySpan<float> weights, double total, double topP, Candidate[] buffer)
    {
        double floor = total * (1 - topP) / weights.Length;
        int kept = 0;
        for (int id = 0; id < weights.Length; id++)
        {
            if (weights[id] >= floor && weights[id] > 0)
            {
                buffer[kept++] = new Candidate(id, weights[id]);
            }
        }

        return buffer.AsSpan(0, kept);
    }

    /// <summary>
    /// Moves the nucleus to the front and returns its size: the smallest set of most likely candidates (ties to the
    /// lowest id) whose weight reaches <paramref name="needed"/>, top_p times the weight of the distribution being
    /// truncated. A quickselect on weight, so a flat distribution costs linear time, not a sort of the vocabulary.
    /// </summary>
    internal static int SelectNucleus(Span<Candidate> candidates, double needed)
    {
        int low = 0, high = candidates.Length;
        while (high - low > 16)
        {
            int pivot = Partition(candidates, low, high);
            double better = 0;
            foreach (Candidate candidate in candidates[low..pivot])
            {
                better += candidate.Value;
            }

            if (better >= needed)
            {
                high = pivot;
                continue;
            }

            needed -= better + candidates[pivot].Value;
            if (needed <= 0)
            {
                return pivot + 1;
            }

            low = pivot + 1;
        }

        Span<Candidate> rest = candidates[low..high];
        rest.Sort(MostLikelyFirst.Compare);
        double cumulative = 0;
        for (int i = 0; i < rest.Length; i++)
        {
            cumulative += rest[i].Value;
            if (cumulative >= needed)
            {
                return low + i + 1;
            }
        }

        return high;
    }

    /// <summary>Partitions [low, high) around a median-of-three pivot: more likely ones before it; returns its index.</summary>
    private static int Partition(Span<Candidate> c, int low, int high)
    {
        int middle = low + ((high - low) / 2), last = high - 1;
        int pivot = MostLikelyFirst.Before(c[low], c[middle])
            ? (MostLikelyFirst.Before(c[middle], c[last]) ? middle : MostLikelyFirst.Before(c[low], c[last]) ? last : low)
            : (MostLikelyFirst.Before(c[low], c[last]) ? low : MostLikelyFirst.Before(c[middle], c[last]) ? last : middle);
        (c[pivot], c[last]) = (c[last], c[pivot]);
        int store = low;
        for (int i = low; i < last; i++)
        {
            if (MostLikelyFirst.Before(c[i], c[last]))
            {
                (c[store], c[i]) = (c[i], c[store]);
                store++;
            }
        }

        (c[store], c[last]) = (c[last], c[store]);
        return store;
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
