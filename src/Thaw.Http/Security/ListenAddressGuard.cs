using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Thaw.Http.Errors;

namespace Thaw.Http.Security;

/// <summary>
/// Applies <see cref="ListenAddressPolicy"/> to the addresses Kestrel actually bound, whatever chose them
/// (<c>--urls</c>, <c>Kestrel:Endpoints:*:Url</c> from appsettings, environment or <c>--set</c>, ASPNETCORE_URLS).
/// Until the check has passed, every request is answered 503, so nothing is served from a refused address in the
/// moment between binding and stopping.
/// </summary>
public sealed partial class ListenAddressGuard
{
    private readonly IServer _server;
    private readonly IOptions<ApiKeyOptions> _options;
    private readonly IHostApplicationLifetime _lifetime;
    private readonly ILogger<ListenAddressGuard> _logger;
    private volatile bool _open;

    public ListenAddressGuard(IServer server, IOptions<ApiKeyOptions> options, IHostApplicationLifetime lifetime, ILogger<ListenAddressGuard> logger)
    {
        _server = server;
        _options = options;
        _lifetime = lifetime;
        _logger = logger;
    }

    /// <summary>Why the host refused to serve (and stopped), or null.</summary>
    public string? Refusal { get; private set; }

    internal Task InvokeAsync(HttpContext context, RequestDelegate next) => _open
        ? next(context)
        : ApiError.Unavailable("The server is starting.", TimeSpan.FromSeconds(1), "starting").ToResult().ExecuteAsync(context);

    /// <summary>Runs once the server has bound its addresses: opens the gate, or logs the refusal and stops the host.</summary>
    internal void Check()
    {
        ICollection<string> addresses = _server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
        ApiKeyOptions keys = _options.Value;
        Refusal = ListenAddressPolicy.Check(addresses, keys.Enabled, keys.AllowAnonymous);
        if (Refusal is null)
        {
            _open = true;
            return;
        }

        LogRefused(_logger, Refusal);
        _lifetime.StopApplication();
    }

    [LoggerMessage(EventId = 1100, Level = LogLevel.Critical, Message = "{Refusal}")]
    private static partial void LogRefused(ILogger logger, string refusal);
}
