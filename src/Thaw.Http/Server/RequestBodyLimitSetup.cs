using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Thaw.Http.Endpoints;
using Thaw.Inference.Jobs;
using Thaw.Inference.Settings;

namespace Thaw.Http.Server;

/// <summary>
/// Kestrel's bound on a request body: the largest any route accepts. Both hosts need it: Kestrel's default
/// (30,000,000 bytes) is smaller than a batch input file may be, and the Functions app's ASP.NET Core integration
/// runs the routes on a Kestrel of its own behind the Functions host.
/// </summary>
internal sealed class RequestBodyLimitSetup(IOptions<LimitsOptions> limits, IOptions<JobsOptions> jobs) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) =>
        // The handlers refuse a body over their own limit with 413 in the OpenAI envelope before reading it; this
        // outer bound only stops a body that no route would accept (ApiGuard maps Kestrel's 413 to the envelope too).
        options.Limits.MaxRequestBodySize = Math.Max(limits.Value.MaxRequestBytes, jobs.Value.MaxFileBytes + FilesEndpoint.MultipartOverheadBytes);
}
