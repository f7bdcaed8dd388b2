namespace Thaw.Cli.Simulation;

/// <summary>
/// SplitMix64: a tiny generator whose sequence is fixed by its seed on every runtime (System.Random's seeded
/// sequence is not a documented contract), so a synthetic trace and the README's numbers reproduce anywhere.
/// </summary>
internal sealed class SeededRandom(ulong seed)
{
    private ulong _state = seed;

    /// <summary>Uniform in [0, 1).</summary>
    public double NextDouble()
    {
        ulong z = _state += 0x9E3779B97F4A7C15UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return ((z ^ (z >> 31)) >> 11) * (1.0 / (1UL << 53));
    }

    /// <summary>Uniform in [<paramref name="low"/>, <paramref name="high"/>).</summary>
    public double Between(double low, double high) => low + ((high - low) * NextDouble());

    /// <summary>Exponentially distributed with the given mean: the gaps of a Poisson process.</summary>
    public double Exponential(double mean) => -mean * Math.Log(1 - NextDouble());
}
