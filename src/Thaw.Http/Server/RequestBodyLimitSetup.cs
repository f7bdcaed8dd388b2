using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Thaw.Http.Endpoints;
using Thaw.Inference.Hosting;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Server;

/// <summary>
/// Kestrel's bound on a request body: the largest any route accepts. Both hosts need it: Kestrel's default
/// (30,000,000 bytes) is smaller than a batch input file may be, and the Functions app's ASP.NET Core integration
/// runs the routes on a Kestrel of its own behind the Functions host.
/// </summary>
internal sealed class RequestBodyLimitSetup(IOptions<ThawOptions> thaw, IOptions<JobsOptions> jobs) : IConfigureOptions<KestrelServerOptions>
{
    public void Configure(KestrelServerOptions options) =>
        // The handlers refuse a body over their own limit with 413 in the OpenAI envelope before reading it; this
        // outer bound only stops a body that no route would accept (ApiGuard maps Kestrel's 413 to the envelope too).
        options.Limits.MaxRequestBodySize = Math.Max(thaw.Value.Limits.MaxRequestBytes, jobs.Value.MaxFileBytes + FilesEndpoint.MultipartOverheadBytes);
}
