using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;

namespace Thaw.Http.Server;

/// <summary>Applies <see cref="ServerLimitsOptions"/> to the standalone host's Kestrel.</summary>
internal sealed class KestrelLimitsSetup(IOptions<ServerLimitsOptions> limits)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        ServerLimitsOptions server = limits.Value;
        options.Limits.MinRequestBodyDataRate = new MinDataRate(server.MinRequestBodyBytesPerSecond, server.MinRequestBodyGracePeriod);
        options.Limits.RequestHeadersTimeout = server.RequestHeadersTimeout;
        options.Limits.MaxRequestHeadersTotalSize = server.MaxRequestHeadersTotalSize;
        options.Limits.MaxRequestHeaderCount = server.MaxRequestHeaderCount;
    }
}
