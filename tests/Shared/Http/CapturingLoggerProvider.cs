using Microsoft.Extensions.Logging;

namespace Thaw.Testing;

internal sealed class CapturingLoggerProvider : ILoggerProvider
{
    private readonly CapturingLogger<object> _logger = new();

    public IEnumerable<string> Messages => _logger.Entries.Select(e => e.Message);

    public IEnumerable<(LogLevel Level, string Message)> Entries => _logger.Entries;

    public ILogger CreateLogger(string categoryName) => _logger;

    public void Dispose()
    {
    }
}
