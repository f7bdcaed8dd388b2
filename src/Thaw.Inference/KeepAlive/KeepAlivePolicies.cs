namespace Thaw.Inference.KeepAlive;

/// <summary>Creates the keep-alive policies by name.</summary>
public static class KeepAlivePolicies
{
    /// <summary>The names <see cref="Create"/> accepts.</summary>
    public static IReadOnlyList<string> Names { get; } = [FixedKeepAlivePolicy.PolicyName, HistogramKeepAlivePolicy.PolicyName];

    /// <summary>The policy that <paramref name="options"/> name, with its settings validated.</summary>
    /// <exception cref="ArgumentException">An unknown policy name or an impossible setting; the message names the value.</exception>
    public static IKeepAlivePolicy Create(KeepAliveOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Policy?.ToLowerInvariant() switch
        {
            FixedKeepAlivePolicy.PolicyName => Fixed(options.Fixed),
            HistogramKeepAlivePolicy.PolicyName => Histogram(options.Histogram),
            _ => throw new ArgumentException($"Unknown keep-alive policy '{options.Policy}'; known: {string.Join(", ", Names)}."),
        };
    }

    /// <exception cref="ArgumentException">The window is negative.</exception>
    public static IKeepAlivePolicy Fixed(FixedKeepAliveOptions options) => new FixedKeepAlivePolicy(options);

    /// <exception cref="ArgumentException">An impossible setting; the message names it and its value.</exception>
    public static IKeepAlivePolicy Histogram(HistogramKeepAliveOptions options) => new HistogramKeepAlivePolicy(options);
}
