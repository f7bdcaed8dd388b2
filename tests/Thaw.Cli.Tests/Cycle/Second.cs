namespace Thaw.Cli.Tests.Cycle.B;

/// <summary>The other half of the deliberate namespace cycle.</summary>
internal static class Second
{
    public static int Next(int value) => value <= 0 ? 0 : A.First.Next(value - 1);
}
