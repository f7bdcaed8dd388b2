using System.Reflection;
using System.Reflection.Emit;

namespace Thaw.Testing;

/// <summary>
/// Which namespaces of an assembly use which others: a type uses every type of the same assembly that its base type,
/// interfaces, fields, properties, method signatures or method bodies (the IL's type, method and field tokens) name.
/// Lambdas, iterators and async methods compile to nested types, so their uses count for the namespace they are written in.
/// </summary>
internal static class NamespaceGraph
{
    private const BindingFlags Declared = BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.Instance | BindingFlags.Static | BindingFlags.DeclaredOnly;

    private static readonly Dictionary<short, OpCode> OpCodesByValue = typeof(OpCodes)
        .GetFields(BindingFlags.Public | BindingFlags.Static)
        .Select(f => (OpCode)f.GetValue(null)!)
        .ToDictionary(o => o.Value);

    /// <summary>The cycles between the <c>Thaw</c> namespaces of <paramref name="assembly"/>, each as its sorted namespaces, with one use per edge as evidence.</summary>
    public static IReadOnlyList<Cycle> FindCycles(Assembly assembly)
    {
        Dictionary<string, Dictionary<string, string>> edges = Uses(assembly);
        return [.. StronglyConnected(edges)
            .Where(c => c.Count > 1)
            .Select(c => new Cycle(
                [.. c.Order(StringComparer.Ordinal)],
                [.. c.SelectMany(from => edges[from].Where(e => c.Contains(e.Key)).Select(e => $"{from} -> {e.Key} ({e.Value})")).Order(StringComparer.Ordinal)]))
            .OrderBy(c => c.Namespaces[0], StringComparer.Ordinal)];
    }

    /// <summary>namespace → used namespace → one example use (type → type).</summary>
    private static Dictionary<string, Dictionary<string, string>> Uses(Assembly assembly)
    {
        var edges = new Dictionary<string, Dictionary<string, string>>(StringComparer.Ordinal);
        foreach (Type type in assembly.GetTypes())
        {
            if (!IsOurs(type, assembly))
            {
                continue;
            }

            Dictionary<string, string> uses = Edges(edges, type.Namespace!);
            foreach (Type used in Referenced(type).SelectMany(Flatten).Distinct())
            {
                if (IsOurs(used, assembly) && used.Namespace != type.Namespace)
                {
                    Edges(edges, used.Namespace!);
                    uses.TryAdd(used.Namespace!, $"{Outer(type).Name} uses {Outer(used).Name}");
                }
            }
        }

        return edges;
    }

    private static Dictionary<string, string> Edges(Dictionary<string, Dictionary<string, string>> edges, string ns)
    {
        if (!edges.TryGetValue(ns, out Dictionary<string, string>? uses))
        {
            edges[ns] = uses = new Dictionary<string, string>(StringComparer.Ordinal);
        }

        return uses;
    }

    private static bool IsOurs(Type type, Assembly assembly) =>
        type.Assembly == assembly && type.Namespace is { } ns && (ns == "Thaw" || ns.StartsWith("Thaw.", StringComparison.Ordinal));

    private static Type Outer(Type type) => type.DeclaringType is { } declaring ? Outer(declaring) : type;

    private static IEnumerable<Type> Referenced(Type type)
    {
        if (type.BaseType is { } baseType)
        {
            yield return baseType;
        }

        foreach (Type implemented in type.GetInterfaces())
        {
            yield return implemented;
        }

        foreach (FieldInfo field in type.GetFields(Declared))
        {
            yield return field.FieldType;
        }

        foreach (PropertyInfo property in type.GetProperties(Declared))
        {
            yield return property.PropertyType;
        }

        foreach (MethodBase method in type.GetMethods(Declared).Cast<MethodBase>().Concat(type.GetConstructors(Declared)))
        {
            if (method is MethodInfo info)
            {
                yield return info.ReturnType;
            }

            foreach (ParameterInfo parameter in method.GetParameters())
            {
                yield return parameter.ParameterType;
            }

            foreach (Type used in InBody(method))
            {
                yield return used;
            }
        }
    }

    /// <summary>The types, and the declaring types of the methods and fields, that a method's IL names.</summary>
    private static IEnumerable<Type> InBody(MethodBase method)
    {
        byte[]? il = method.GetMethodBody()?.GetILAsByteArray();
        if (il is null)
        {
            yield break;
        }

        Type[]? typeArguments = method.DeclaringType is { IsGenericType: true } declaring ? declaring.GetGenericArguments() : null;
        Type[]? methodArguments = method.IsGenericMethod ? method.GetGenericArguments() : null;
        int at = 0;
        while (at < il.Length)
        {
            short value = il[at] == 0xFE ? unchecked((short)(0xFE00 | il[at + 1])) : il[at];
            OpCode op = OpCodesByValue[value];
            at += op.Size;
            if (op.OperandType is OperandType.InlineType or OperandType.InlineTok or OperandType.InlineMethod or OperandType.InlineField)
            {
                int token = BitConverter.ToInt32(il, at);
                if (Resolve(method.Module, token, typeArguments, methodArguments) is { } used)
                {
                    yield return used;
                }
            }

            at += op.OperandType switch
            {
                OperandType.InlineNone => 0,
                OperandType.ShortInlineBrTarget or OperandType.ShortInlineI or OperandType.ShortInlineVar => 1,
                OperandType.InlineVar => 2,
                OperandType.InlineI8 or OperandType.InlineR => 8,
                OperandType.InlineSwitch => 4 + (4 * BitConverter.ToInt32(il, at)),
                _ => 4,
            };
        }
    }

    private static Type? Resolve(Module module, int token, Type[]? typeArguments, Type[]? methodArguments)
    {
        try
        {
            return module.ResolveMember(token, typeArguments, methodArguments) switch
            {
                Type type => type,
                MemberInfo member => member.DeclaringType,
                _ => null,
            };
        }
        catch (ArgumentException)
        {
            // A token of a generic instantiation that needs a context this walk does not have; its definition's
            // own signatures are walked where it is declared.
            return null;
        }
    }

    private static IEnumerable<Type> Flatten(Type type)
    {
        if (type.HasElementType)
        {
            foreach (Type element in Flatten(type.GetElementType()!))
            {
                yield return element;
            }

            yield break;
        }

        if (type.IsGenericParameter)
        {
            yield break;
        }

        yield return type.IsGenericType ? type.GetGenericTypeDefinition() : type;
        if (type.IsGenericType)
        {
            foreach (Type argument in type.GetGenericArguments().SelectMany(Flatten))
            {
                yield return argument;
            }
        }
    }

    /// <summary>Tarjan's strongly connected components.</summary>
    private static List<HashSet<string>> StronglyConnected(Dictionary<string, Dictionary<string, string>> edges)
    {
        var components = new List<HashSet<string>>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var low = new Dictionary<string, int>(StringComparer.Ordinal);
        var stack = new Stack<string>();
        var onStack = new HashSet<string>(StringComparer.Ordinal);
        foreach (string node in edges.Keys.Order(StringComparer.Ordinal))
        {
            if (!index.ContainsKey(node))
            {
                Visit(node);
            }
        }

        return components;

        void Visit(string node)
        {
            index[node] = low[node] = index.Count;
            stack.Push(node);
            onStack.Add(node);
            foreach (string next in edges[node].Keys)
            {
                if (!index.ContainsKey(next))
                {
                    Visit(next);
                    low[node] = Math.Min(low[node], low[next]);
                }
                else if (onStack.Contains(next))
                {
                    low[node] = Math.Min(low[node], index[next]);
                }
            }

            if (low[node] == index[node])
            {
                var component = new HashSet<string>(StringComparer.Ordinal);
                string member;
                do
                {
                    member = stack.Pop();
                    onStack.Remove(member);
                    component.Add(member);
                }
                while (member != node);
                components.Add(component);
            }
        }
    }

    /// <param name="Namespaces">The namespaces that use each other, sorted.</param>
    /// <param name="Uses">One use per edge inside the cycle, e.g. <c>A -> B (X uses Y)</c>.</param>
    public sealed record Cycle(string[] Namespaces, string[] Uses)
    {
        public override string ToString() => $"{string.Join(" <-> ", Namespaces)}:{Environment.NewLine}  {string.Join(Environment.NewLine + "  ", Uses)}";
    }
}
