using System.Reflection;
using Thaw.Testing;

namespace Thaw.Cli.Tests;

/// <summary>
/// No two namespaces of one assembly use each other, directly or around a circle: folders stay features that can be
/// read, moved and tested one at a time, with arrows that run one way (adapters → core, features → the leaf settings).
/// </summary>
public sealed class NamespaceCycleTests
{
    public static TheoryData<string> Assemblies()
    {
        var names = new TheoryData<string>();
        foreach (Assembly assembly in ThawAssemblies())
        {
            names.Add(assembly.GetName().Name!);
        }

        return names;
    }

    [Theory]
    [MemberData(nameof(Assemblies))]
    public void Assembly_Namespaces_FormNoCycle(string name)
    {
        Assembly assembly = ThawAssemblies().Single(a => a.GetName().Name == name);

        IReadOnlyList<NamespaceGraph.Cycle> cycles = NamespaceGraph.FindCycles(assembly);

        Assert.True(cycles.Count == 0, $"{name}: namespace cycles:{Environment.NewLine}{string.Join(Environment.NewLine, cycles)}");
    }

    [Fact]
    public void FindCycles_TwoNamespacesUsingEachOther_IsACycle()
    {
        // The walk must see uses inside method bodies, or the test above could never fail: this assembly's
        // Thaw.Cli.Tests.Cycle.A and .B name each other only in code.
        NamespaceGraph.Cycle cycle = Assert.Single(NamespaceGraph.FindCycles(typeof(NamespaceCycleTests).Assembly),
            c => c.Namespaces.Contains(typeof(Cycle.A.First).Namespace));

        Assert.Equal([typeof(Cycle.A.First).Namespace!, typeof(Cycle.B.Second).Namespace!], cycle.Namespaces);
    }

    /// <summary>The product's assemblies: the <c>thaw</c> command and every Thaw assembly it references.</summary>
    private static IEnumerable<Assembly> ThawAssemblies()
    {
        var seen = new Dictionary<string, Assembly>(StringComparer.Ordinal);
        var pending = new Queue<Assembly>([typeof(StandaloneHost).Assembly]);
        while (pending.TryDequeue(out Assembly? assembly))
        {
            if (!seen.TryAdd(assembly.GetName().Name!, assembly))
            {
                continue;
            }

            foreach (AssemblyName reference in assembly.GetReferencedAssemblies().Where(r => r.Name!.StartsWith("Thaw", StringComparison.OrdinalIgnoreCase)))
            {
                pending.Enqueue(Assembly.Load(reference));
            }
        }

        return seen.Values.OrderBy(a => a.GetName().Name, StringComparer.Ordinal);
    }
}
