using System.Diagnostics;
using System.Numerics;
using System.Runtime.InteropServices;

namespace Thaw.Cli.Commands;

/// <summary>
/// The memory bandwidth a decode step can hope for: every core summing its share of a buffer far larger than the
/// caches, best of several passes. Batch-1 decoding reads every weight once per token, so bandwidth over the bytes
/// read per step is the most tokens per second one stream can get.
/// </summary>
internal static class BandwidthProbe
{
    private const int Floats = 128 << 20;
    private const int Passes = 5;

    /// <summary>Bytes per second.</summary>
    public static double Measure()
    {
        float[] data = new float[Floats];
        // Touch every page first: a fresh array's pages are mapped on first write, which is not what is measured.
        Array.Fill(data, 1f);
        int workers = Environment.ProcessorCount;
        int share = Floats / workers / Vector<float>.Count * Vector<float>.Count;
        double best = double.MaxValue;
        float sink = 0;
        for (int pass = 0; pass < Passes; pass++)
        {
            var sums = new float[workers];
            long started = Stopwatch.GetTimestamp();
            Parallel.For(0, workers, new ParallelOptions { MaxDegreeOfParallelism = workers }, w => sums[w] = Sum(data.AsSpan(w * share, share)));
            best = Math.Min(best, Stopwatch.GetElapsedTime(started).TotalSeconds);
            sink += sums.Sum();
        }

        // The sums keep the reads from being optimized away; they are all ones.
        return sink > 0 ? (double)workers * share * sizeof(float) / best : throw new InvalidOperationException("Bug: the bandwidth probe summed nothing.");
    }

    private static float Sum(ReadOnlySpan<float> values)
    {
        // Four accumulators, so the adds' latency does not bound the reads.
        ReadOnlySpan<Vector<float>> vectors = MemoryMarshal.Cast<float, Vector<float>>(values);
        Vector<float> a = Vector<float>.Zero, b = a, c = a, d = a;
        int i = 0;
        for (; i + 4 <= vectors.Length; i += 4)
        {
            a += vectors[i];
            b += vectors[i + 1];
            c += vectors[i + 2];
            d += vectors[i + 3];
        }

        for (; i < vectors.Length; i++)
        {
            a += vectors[i];
        }

        return Vector.Sum(a + b + c + d);
    }
}
