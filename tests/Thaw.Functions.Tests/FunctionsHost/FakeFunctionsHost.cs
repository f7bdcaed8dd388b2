using System.Diagnostics;
using System.Net;
using System.Text.Json;
using Azure.Storage.Queues;
using Azure.Storage.Queues.Models;
using Google.Protobuf;
using Google.Protobuf.WellKnownTypes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Logging;

namespace Thaw.Functions.Tests.FunctionsHost;

/// <summary>
/// Plays the Azure Functions host's part of the language-worker protocol against the real built worker: a gRPC server
/// on loopback, the worker process started against it, the start-up handshake (init, the worker's own function
/// indexing, one load per function), invocations, HTTP requests forwarded to the worker's own endpoint (the ASP.NET
/// Core integration), one queue message delivered from the trigger's queue or one timer tick when a test asks, and
/// shutdown with the host's kill after the grace period. Not the host's: keys, polling, schedules, a failed message's
/// retries and poison queue, concurrency limits, health checks, restarts (docs/functions.md lists them). Every wait
/// is bounded and ends early when the worker exits.
/// </summary>
internal sealed class FakeFunctionsHost : IAsyncDisposable
{
    public const string InvocationIdHeader = "x-ms-invocation-id";

    /// <summary>
    /// The grace period the tests' terminate gives: the worker's .NET host waits up to 30 s (its default shutdown
    /// timeout) for requests in flight, so a worker that needs longer has hung rather than been slow.
    /// </summary>
    public static readonly TimeSpan GracePeriod = TimeSpan.FromSeconds(30);

    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan InvocationTimeout = TimeSpan.FromSeconds(60);

    private readonly WebApplication _server;
    private readonly WorkerChannel _channel;
    private readonly WorkerProcess _worker;
    private readonly Dictionary<string, RpcFunctionMetadata> _functions = new(StringComparer.Ordinal);
    private HttpClient? _http;
    private HttpTriggerRoutes? _routes;

    private FakeFunctionsHost(WebApplication server, WorkerChannel channel, WorkerProcess worker, string appDirectory)
    {
        _server = server;
        _channel = channel;
        _worker = worker;
        AppDirectory = appDirectory;
    }

    /// <summary>The Functions app's build output (src/Thaw.Functions/bin/&lt;Configuration&gt;/&lt;tfm&gt;/).</summary>
    public static string DefaultAppDirectory { get; } = Path.GetFullPath(Path.Combine(
        AppContext.BaseDirectory, "..", "..", "..", "..", "..", "src", "Thaw.Functions", "bin",
        new DirectoryInfo(AppContext.BaseDirectory).Parent!.Name, new DirectoryInfo(AppContext.BaseDirectory).Name));

    public string AppDirectory { get; }

    public WorkerInitResponse Init { get; private set; } = null!;

    /// <summary>The functions the worker indexed, by name.</summary>
    public IReadOnlyDictionary<string, RpcFunctionMetadata> Functions => _functions;

    /// <summary>The worker's ASP.NET Core endpoint, from its <c>HttpUri</c> capability.</summary>
    public Uri HttpUri { get; private set; } = null!;

    public IEnumerable<RpcLog> Logs => _channel.Logs;

    public IEnumerable<string> Output => _worker.Output;

    /// <summary>
    /// Starts the worker with <paramref name="settings"/> as its app settings (environment variables, as the host
    /// passes local.settings.json Values or the app's configuration) and runs init, indexing and load.
    /// </summary>
    public static async Task<FakeFunctionsHost> StartAsync(IReadOnlyDictionary<string, string?> settings, string? appDirectory = null)
    {
        appDirectory ??= DefaultAppDirectory;
        var channel = new WorkerChannel();
        WebApplication server = await StartServerAsync(channel);
        Uri uri = new(server.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First());
        string workerId = Guid.NewGuid().ToString();
        WorkerProcess worker = WorkerProcess.Start(appDirectory, uri, workerId, requestId: Guid.NewGuid().ToString(), settings);
        var host = new FakeFunctionsHost(server, channel, worker, appDirectory);
        try
        {
            StartStream start = await host.BoundedAsync(channel.Started, "open its event stream", StartTimeout);
            if (start.WorkerId != workerId)
            {
                throw new FunctionsWorkerException($"The worker said it is '{start.WorkerId}', but was started as '{workerId}'.");
            }

            await host.InitializeAsync();
            await host.IndexAndLoadAsync();
            return host;
        }
        catch
        {
            await host.DisposeAsync();
            throw;
        }
    }

    /// <summary>Invokes <paramref name="functionName"/> as the host does for a non-HTTP trigger.</summary>
    public async Task<InvocationResponse> InvokeAsync(string functionName, IEnumerable<ParameterBinding> inputs, IReadOnlyDictionary<string, TypedData>? triggerMetadata = null)
    {
        InvocationRequest request = NewInvocation(functionName);
        request.InputData.Add(inputs);
        foreach ((string key, TypedData value) in triggerMetadata ?? new Dictionary<string, TypedData>())
        {
            request.TriggerMetadata[key] = value;
        }

        return await SendAsync(request);
    }

    /// <summary>Invokes a timer trigger as the host does when its schedule fires: the TimerInfo as JSON under the trigger's binding name.</summary>
    public Task<InvocationResponse> InvokeTimerAsync(string functionName) =>
        InvokeAsync(functionName, [new ParameterBinding
        {
            Name = Trigger(functionName, "timerTrigger").GetProperty("name").GetString(),
            Data = new TypedData { Json = """{"Schedule":{"AdjustForDST":true},"ScheduleStatus":{"Last":"2026-01-01T00:00:00+00:00","Next":"2026-01-01T00:01:00+00:00","LastUpdated":"2026-01-01T00:00:00+00:00"},"IsPastDue":false}""" },
        }]);

    /// <summary>
    /// Delivers the next message on <paramref name="functionName"/>'s queue (the trigger's <c>queueName</c>, on the
    /// account of <paramref name="connectionString"/>) as the host does: read with Base64 decoding and the host's
    /// 30 s visibility, bound as the queue extension's model binding data (the message as JSON) with the dequeue
    /// count in the trigger metadata, and deleted when the invocation succeeds. A failed invocation leaves the message
    /// to come back; the host's retry count and poison queue are not performed here.
    /// </summary>
    public async Task<InvocationResponse> DeliverQueueMessageAsync(string functionName, string connectionString)
    {
        JsonElement trigger = Trigger(functionName, "queueTrigger");
        string queueName = trigger.GetProperty("queueName").GetString()!;
        var queue = new QueueClient(connectionString, queueName, new QueueClientOptions { MessageEncoding = QueueMessageEncoding.Base64 });
        QueueMessage message = (await queue.ReceiveMessageAsync(TimeSpan.FromSeconds(30))).Value
            ?? throw new FunctionsWorkerException($"No message on '{queueName}' for {functionName}.");
        InvocationResponse response = await InvokeAsync(functionName, [new ParameterBinding
        {
            Name = trigger.GetProperty("name").GetString(),
            Data = new TypedData
            {
                ModelBindingData = new ModelBindingData
                {
                    Version = "1.0",
                    Source = "AzureStorageQueues",
                    ContentType = "application/json",
                    Content = ByteString.CopyFrom(JsonSerializer.SerializeToUtf8Bytes(message)),
                },
            },
        }], new Dictionary<string, TypedData>
        {
            // Numbers travel as JSON: the worker rejects TypedData.Int in trigger metadata ("Int is not supported").
            ["DequeueCount"] = new() { Json = message.DequeueCount.ToString(System.Globalization.CultureInfo.InvariantCulture) },
            ["Id"] = new() { String = message.MessageId },
            ["QueueTrigger"] = new() { String = message.MessageText },
        });
        if (response.Result.Status == StatusResult.Types.Status.Success)
        {
            await queue.DeleteMessageAsync(message.MessageId, message.PopReceipt);
        }

        return response;
    }

    /// <summary>
    /// An HTTP client whose requests travel as the host forwards them (<see cref="SendAsync(HttpRequestMessage)"/>),
    /// addressed to the host's own endpoint. A failed invocation is answered 500, as the host answers it.
    /// </summary>
    public HttpClient CreateClient() => new(new ForwardingHandler(this)) { BaseAddress = new Uri("http://localhost:7071/"), Timeout = InvocationTimeout };

    /// <summary>
    /// An HTTP request as the host handles it for a worker with the <c>HttpUri</c> capability: route it to a function
    /// (host.json's routePrefix, the trigger's route and methods), send the invocation with the route values as
    /// trigger metadata, and forward the request itself to the worker's endpoint with the invocation id header.
    /// </summary>
    public async Task<HttpInvocation> SendAsync(HttpRequestMessage request)
    {
        ArgumentNullException.ThrowIfNull(request.RequestUri);
        // A relative request is addressed to the host's own endpoint (func start listens on port 7071).
        Uri target = request.RequestUri.IsAbsoluteUri ? request.RequestUri : new Uri(new Uri("http://localhost:7071/"), request.RequestUri);
        if (_routes!.Match(request.Method.Method, target.AbsolutePath) is not { } match)
        {
            return new HttpInvocation(new HttpResponseMessage(HttpStatusCode.NotFound), Invocation: null);
        }

        InvocationRequest invocation = NewInvocation(match.Function.Name);
        // With proxying the host sends the trigger's RpcHttp empty: the request itself travels over HTTP.
        invocation.InputData.Add(new ParameterBinding { Name = match.TriggerName, Data = new TypedData { Http = new RpcHttp() } });
        foreach ((string key, string value) in match.Values)
        {
            invocation.TriggerMetadata[key] = new TypedData { String = value };
        }

        Task<InvocationResponse> response = SendAsync(invocation);
        HttpResponseMessage answer = await ForwardAsync(request, target, invocation.InvocationId).WaitAsync(InvocationTimeout);
        return new HttpInvocation(answer, await response);
    }

    /// <summary>
    /// Forwards the request to the worker's endpoint. The worker reports its <c>HttpUri</c> before its Kestrel listens,
    /// so, as the host's RetryProxyHandler does (10 tries, 50 ms doubling to at most 250 ms), a refused connection is
    /// tried again; nothing of the request has been sent then.
    /// </summary>
    private async Task<HttpResponseMessage> ForwardAsync(HttpRequestMessage request, Uri target, string invocationId)
    {
        TimeSpan delay = TimeSpan.FromMilliseconds(50);
        for (int attempt = 1; ; attempt++)
        {
            // Not disposed: that would dispose the content, which a retry sends again.
            var forwarded = new HttpRequestMessage(request.Method, new Uri(HttpUri, target.PathAndQuery)) { Content = request.Content };
            foreach ((string name, IEnumerable<string> values) in request.Headers)
            {
                forwarded.Headers.TryAddWithoutValidation(name, values);
            }

            forwarded.Headers.Add(InvocationIdHeader, invocationId);
            try
            {
                // As the host's forwarder (YARP) does: the answer is passed on once its headers arrive, its body read as
                // the worker writes it, so a streamed answer (SSE) reaches the client chunk by chunk.
                return await _http!.SendAsync(forwarded, HttpCompletionOption.ResponseHeadersRead);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.ConnectionError && attempt < 10)
            {
                await Task.Delay(delay);
                delay = TimeSpan.FromMilliseconds(Math.Min(delay.TotalMilliseconds * 2, 250));
            }
        }
    }

    /// <summary>Waits for the worker to log a line containing <paramref name="text"/> through the protocol.</summary>
    public Task WaitForLogAsync(string text) => BoundedAsync(_channel.LogAsync(text).ContinueWith(_ => true, TaskScheduler.Default), $"log '{text}'", InvocationTimeout);

    /// <summary>
    /// Sends WorkerTerminate, as the host does when it shuts down, and waits for the process to exit; like the host,
    /// kills it when it is still running after <paramref name="gracePeriod"/> (its exit code then says so).
    /// </summary>
    public async Task<int> StopAsync(TimeSpan gracePeriod)
    {
        _channel.Post(new StreamingMessage { WorkerTerminate = new WorkerTerminate { GracePeriod = Duration.FromTimeSpan(gracePeriod) } });
        try
        {
            return await _worker.Exited.WaitAsync(gracePeriod);
        }
        catch (TimeoutException)
        {
            _worker.Kill();
            return await _worker.Exited;
        }
    }

    public async ValueTask DisposeAsync()
    {
        _http?.Dispose();
        await _worker.DisposeAsync();
        await _server.StopAsync();
        await _server.DisposeAsync();
    }

    private static async Task<WebApplication> StartServerAsync(WorkerChannel channel)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.Logging.ClearProviders();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.Listen(IPAddress.Loopback, 0, listen => listen.Protocols = HttpProtocols.Http2));
        builder.Services.AddGrpc(grpc =>
        {
            grpc.MaxReceiveMessageSize = null;
            grpc.MaxSendMessageSize = null;
        });
        builder.Services.AddSingleton(channel);
        WebApplication app = builder.Build();
        app.MapGrpcService<FunctionRpcService>();
        await app.StartAsync();
        return app;
    }

    private async Task InitializeAsync()
    {
        var init = new WorkerInitRequest
        {
            HostVersion = "4.0.0-thaw-fake",
            WorkerDirectory = AppDirectory,
            FunctionAppDirectory = AppDirectory,
        };
        StreamingMessage answer = await BoundedAsync(
            _channel.SendAsync(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), WorkerInitRequest = init }, WorkerChannel.InitKey),
            "answer WorkerInitRequest", StartTimeout);
        Init = answer.WorkerInitResponse;
        EnsureSuccess(Init.Result, "WorkerInitRequest");
        if (!Init.Capabilities.TryGetValue("HttpUri", out string? httpUri))
        {
            throw new FunctionsWorkerException("The worker did not report the HttpUri capability: the ASP.NET Core integration is not on.");
        }

        HttpUri = new Uri(httpUri);
        // A request that expects 100-continue waits for the worker to read its body, however long the handler takes.
        _http = new HttpClient(new SocketsHttpHandler { Expect100ContinueTimeout = InvocationTimeout }) { Timeout = InvocationTimeout };
    }

    private async Task IndexAndLoadAsync()
    {
        StreamingMessage answer = await BoundedAsync(
            _channel.SendAsync(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), FunctionsMetadataRequest = new FunctionsMetadataRequest { FunctionAppDirectory = AppDirectory } }, WorkerChannel.MetadataKey),
            "answer FunctionsMetadataRequest", StartTimeout);
        FunctionMetadataResponse metadata = answer.FunctionMetadataResponse;
        EnsureSuccess(metadata.Result, "FunctionsMetadataRequest");
        if (metadata.UseDefaultMetadataIndexing)
        {
            throw new FunctionsWorkerException("The worker asked the host to index the functions itself; the fake host only does worker indexing.");
        }

        foreach (RpcFunctionMetadata function in metadata.FunctionMetadataResults)
        {
            _functions.Add(function.Name, function);
        }

        // The host loads each function by id with the metadata the worker gave, then may invoke it.
        Task<StreamingMessage>[] loads = _functions.Values.Select(function => _channel.SendAsync(
            new StreamingMessage { RequestId = Guid.NewGuid().ToString(), FunctionLoadRequest = new FunctionLoadRequest { FunctionId = function.FunctionId, Metadata = function } },
            WorkerChannel.LoadKey(function.FunctionId))).ToArray();
        foreach (StreamingMessage loaded in await BoundedAsync(Task.WhenAll(loads), "answer FunctionLoadRequest", StartTimeout))
        {
            EnsureSuccess(loaded.FunctionLoadResponse.Result, $"FunctionLoadRequest for {_functions.Values.Single(f => f.FunctionId == loaded.FunctionLoadResponse.FunctionId).Name}");
        }

        _routes = HttpTriggerRoutes.Create(_functions.Values, RoutePrefix(AppDirectory));
    }

    private JsonElement Trigger(string functionName, string type)
    {
        foreach (string raw in Functions[functionName].RawBindings)
        {
            using JsonDocument binding = JsonDocument.Parse(raw);
            if (string.Equals(binding.RootElement.GetProperty("type").GetString(), type, StringComparison.OrdinalIgnoreCase))
            {
                return binding.RootElement.Clone();
            }
        }

        throw new FunctionsWorkerException($"{functionName} has no {type} binding.");
    }

    private InvocationRequest NewInvocation(string functionName) => new()
    {
        InvocationId = Guid.NewGuid().ToString(),
        TraceContext = new RpcTraceContext { TraceParent = $"00-{ActivityTraceId.CreateRandom()}-{ActivitySpanId.CreateRandom()}-01" },
        FunctionId = _functions.TryGetValue(functionName, out RpcFunctionMetadata? function)
            ? function.FunctionId
            : throw new FunctionsWorkerException($"The worker did not index a function '{functionName}'."),
    };

    private async Task<InvocationResponse> SendAsync(InvocationRequest invocation)
    {
        StreamingMessage answer = await BoundedAsync(
            _channel.SendAsync(new StreamingMessage { RequestId = Guid.NewGuid().ToString(), InvocationRequest = invocation }, WorkerChannel.InvocationKey(invocation.InvocationId)),
            $"answer the invocation of {_functions.Values.Single(f => f.FunctionId == invocation.FunctionId).Name}", InvocationTimeout);
        return answer.InvocationResponse;
    }

    private async Task<T> BoundedAsync<T>(Task<T> task, string what, TimeSpan timeout)
    {
        Task first;
        try
        {
            first = await Task.WhenAny(task, _worker.Exited, _channel.Closed).WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            throw new FunctionsWorkerException($"The worker did not {what} within {timeout.TotalSeconds:0} s.{Describe()}");
        }

        if (first == task)
        {
            return await task;
        }

        string reason = _worker.Exited.IsCompleted ? $"exited with code {await _worker.Exited}" : "closed its event stream";
        throw new FunctionsWorkerException($"The worker {reason} before it could {what}.{Describe()}");
    }

    private string Describe() =>
        $"{Environment.NewLine}Its last output:{Environment.NewLine}{_worker.Tail()}{Environment.NewLine}Its last logs:{Environment.NewLine}" +
        string.Join(Environment.NewLine, _channel.Logs.TakeLast(20).Select(l => $"{l.Level}: {l.Message}"));

    private static void EnsureSuccess(StatusResult result, string what)
    {
        if (result.Status != StatusResult.Types.Status.Success)
        {
            throw new FunctionsWorkerException($"The worker failed {what}: {result.Exception?.Message ?? result.Result}");
        }
    }

    private static string RoutePrefix(string appDirectory)
    {
        // host.json's extensions.http.routePrefix, "api" when absent, as the host and the worker both read it.
        using JsonDocument host = JsonDocument.Parse(File.ReadAllText(Path.Combine(appDirectory, "host.json")));
        return host.RootElement.TryGetProperty("extensions", out JsonElement extensions)
            && extensions.TryGetProperty("http", out JsonElement http)
            && http.TryGetProperty("routePrefix", out JsonElement prefix)
                ? prefix.GetString() ?? "api"
                : "api";
    }
}
