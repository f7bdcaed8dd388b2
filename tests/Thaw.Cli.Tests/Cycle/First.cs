namespace Thaw.Cli.Tests.Cycle.A;

/// <summary>One half of a deliberate namespace cycle, for <see cref="NamespaceCycleTests"/>.</summary>
internal static class First
{
    public static int Next(int value) => value <= 0 ? 0 : B.Second.Next(value - 1);
}
