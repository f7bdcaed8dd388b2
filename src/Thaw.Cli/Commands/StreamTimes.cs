using System.Diagnostics;

namespace Thaw.Cli.Commands;

/// <summary>When one benchmark stream was submitted and when each of its tokens reached the reader (Stopwatch timestamps).</summary>
internal sealed record StreamTimes(long Submitted, IReadOnlyList<long> Tokens)
{
    public double TimeToFirstTokenMs => Stopwatch.GetElapsedTime(Submitted, Tokens[0]).TotalMilliseconds;

    public IEnumerable<double> InterTokenMs => Tokens.Zip(Tokens.Skip(1), (a, b) => Stopwatch.GetElapsedTime(a, b).TotalMilliseconds);
}
