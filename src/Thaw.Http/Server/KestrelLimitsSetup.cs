using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Thaw.Http.Endpoints;
using Thaw.Inference.Hosting;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Server;

/// <summary>Applies <see cref="ServerLimitsOptions"/> and the largest body any route accepts to Kestrel.</summary>
internal sealed class KestrelLimitsSetup(IOptions<ServerLimitsOptions> limits, IOptions<ThawOptions> thaw, IOptions<JobsOptions> jobs)
    : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options)
    {
        ServerLimitsOptions server = limits.Value;
        options.Limits.MinRequestBodyDataRate = new MinDataRate(server.MinRequestBodyBytesPerSecond, server.MinRequestBodyGracePeriod);
        options.Limits.RequestHeadersTimeout = server.RequestHeadersTimeout;
        options.Limits.MaxRequestHeadersTotalSize = server.MaxRequestHeadersTotalSize;
        options.Limits.MaxRequestHeaderCount = server.MaxRequestHeaderCount;
        // The handlers refuse a body over their own limit with 413 in the OpenAI envelope before reading it; this
        // outer bound only stops a body that no route would accept (ApiGuard maps Kestrel's 413 to the envelope too).
        options.Limits.MaxRequestBodySize = Math.Max(thaw.Value.Limits.MaxRequestBytes, jobs.Value.MaxFileBytes + FilesEndpoint.MultipartOverheadBytes);
    }
}
