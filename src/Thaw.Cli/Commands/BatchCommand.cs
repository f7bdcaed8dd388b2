using System.CommandLine;
using System.Globalization;
using System.Net.Sockets;
using System.Text.Json;
using Thaw.Http.Contracts;
using Thaw.Http.Errors;
using Thaw.Http.Jobs;
using Thaw.Inference.Jobs;
using Thaw.Inference.Settings;
using Thaw.Inference.Storage;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw batch</c>: the OpenAI Batch API from the command line, against a running server (<c>thaw serve</c> or the
/// Functions app): submit a JSONL file (checked line by line first), follow it, download its results, list, cancel.
/// </summary>
internal static class BatchCommand
{
    private const string DefaultUrl = "http://127.0.0.1:7071";

    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        var url = new Option<string>("--url")
        {
            Description = $"The server, e.g. {DefaultUrl} (thaw serve) or https://<app>.azurewebsites.net. Environment: THAW_URL.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("THAW_URL") is { Length: > 0 } fromEnvironment ? fromEnvironment : DefaultUrl,
            Recursive = true,
        };
        var apiKey = new Option<string?>("--api-key")
        {
            Description = "Sent as 'Authorization: Bearer <key>' (a key from Thaw:ApiKeys). Environment: THAW_API_KEY.",
            DefaultValueFactory = _ => Environment.GetEnvironmentVariable("THAW_API_KEY"),
            Recursive = true,
        };
        var batchId = new Argument<string>("batch-id") { Description = "The batch, e.g. batch_0192…" };

        var file = new Argument<FileInfo>("file") { Description = "The input: one request per line, {\"custom_id\",\"method\":\"POST\",\"url\":\"/v1/embeddings\",\"body\":{…}}; every line names the same url (/v1/embeddings, /v1/chat/completions or /v1/completions)." };
        var allowBad = new Option<bool>("--allow-bad-lines") { Description = "Upload even if some lines are bad; they go to the batch's error file." };
        var submit = new Command("submit", "Check every line of a JSONL file (reporting bad ones with their line numbers), upload it and create the batch. Prints the batch id.")
        {
            file, allowBad,
        };
        submit.SetAction((parse, cancellationToken) => RunAsync(parse, url, apiKey, stderr, async client =>
        {
            FileInfo input = parse.GetValue(file)!;
            if (!input.Exists)
            {
                await stderr.WriteLineAsync($"thaw batch submit: no file '{input.FullName}'.");
                return 2;
            }

            (int lines, List<string> problems, string endpoint) = await CheckAsync(input.FullName, cancellationToken);
            foreach (string problem in problems.Take(50))
            {
                await stderr.WriteLineAsync(problem);
            }

            if (problems.Count > 50)
            {
                await stderr.WriteLineAsync($"… and {problems.Count - 50} more bad lines.");
            }

            if (lines == 0 || problems.Count > 0 && !parse.GetValue(allowBad))
            {
                await stderr.WriteLineAsync(lines == 0
                    ? $"thaw batch submit: '{input.Name}' has no requests."
                    : $"thaw batch submit: {problems.Count} of {lines} lines are bad; fix them or pass --allow-bad-lines. Nothing was uploaded.");
                return 1;
            }

            FileRecord uploaded = await client.UploadAsync(input.FullName, cancellationToken);
            BatchRecord batch = await client.CreateAsync(uploaded.Id, endpoint, cancellationToken);
            await stderr.WriteLineAsync($"uploaded {input.Name} ({uploaded.Bytes} bytes, {lines} lines) as {uploaded.Id}; created {batch.Id}");
            await stdout.WriteLineAsync(batch.Id);
            return 0;
        }));

        var json = new Option<bool>("--json") { Description = "Print the batch object as JSON (as GET /v1/batches/{id})." };
        var status = new Command("status", "Show a batch: status, counts, files and timestamps.") { batchId, json };
        status.SetAction((parse, cancellationToken) => RunAsync(parse, url, apiKey, stderr, async client =>
        {
            BatchRecord batch = await client.GetAsync(parse.GetValue(batchId)!, cancellationToken);
            await (parse.GetValue(json) ? stdout.WriteLineAsync(JsonSerializer.Serialize(batch, ThawJson.BatchRecord)) : PrintAsync(stdout, batch));
            return 0;
        }));

        var interval = new Option<double>("--interval") { Description = "Seconds between polls.", DefaultValueFactory = _ => 1 };
        var wait = new Command("wait",
            "Follow a batch until it ends: a live progress bar on a terminal (counts, lines/s, ETA), plain lines when redirected. " +
            "Exit code 0 when it completed, 1 when it failed, expired or was cancelled.")
        {
            batchId, interval,
        };
        wait.SetAction((parse, cancellationToken) => RunAsync(parse, url, apiKey, stderr, async client =>
        {
            var bar = new BatchProgressBar(stderr);
            var pause = TimeSpan.FromSeconds(Math.Clamp(parse.GetValue(interval), 0.05, 3600));
            while (true)
            {
                BatchRecord batch = await client.GetAsync(parse.GetValue(batchId)!, cancellationToken);
                bar.Report(batch);
                if (batch.IsTerminal)
                {
                    await PrintAsync(stdout, batch);
                    return batch.Status == BatchStatus.Completed ? 0 : 1;
                }

                await Task.Delay(pause, cancellationToken);
            }
        }));

        var output = new Option<DirectoryInfo>("--output", "-o") { Description = "Directory to write into.", DefaultValueFactory = _ => new DirectoryInfo(".") };
        var download = new Command("download", "Download a batch's output file (<id>_output.jsonl) and, if any line failed, its error file (<id>_errors.jsonl).")
        {
            batchId, output,
        };
        download.SetAction((parse, cancellationToken) => RunAsync(parse, url, apiKey, stderr, async client =>
        {
            BatchRecord batch = await client.GetAsync(parse.GetValue(batchId)!, cancellationToken);
            // The id names the local files: a server (or whatever answers at --url) must not choose where they go.
            if (PlainFileName.Check(batch.Id) is { } problem)
            {
                await stderr.WriteLineAsync($"thaw batch download: the server answered a batch id that is not a plain file name ({problem}); nothing was written.");
                return 1;
            }

            if (batch.OutputFileId is null && batch.ErrorFileId is null)
            {
                await stderr.WriteLineAsync($"thaw batch download: {batch.Id} is {BatchProgressBar.Status(batch.Status)} and has no result files yet.");
                return 1;
            }

            DirectoryInfo directory = parse.GetValue(output)!;
            directory.Create();
            foreach ((string? fileId, string suffix) in new[] { (batch.OutputFileId, "output"), (batch.ErrorFileId, "errors") })
            {
                if (fileId is not null)
                {
                    string path = Path.Combine(directory.FullName, $"{batch.Id}_{suffix}.jsonl");
                    long bytes = await client.DownloadAsync(fileId, path, cancellationToken);
                    await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture, $"{path} ({bytes} bytes)"));
                }
            }

            return 0;
        }));

        var limit = new Option<int>("--limit") { Description = "Most batches to list (1-100).", DefaultValueFactory = _ => 20 };
        var after = new Option<string?>("--after") { Description = "List the batches older than this one (paging)." };
        var list = new Command("ls", "List batches, newest first.") { limit, after };
        list.SetAction((parse, cancellationToken) => RunAsync(parse, url, apiKey, stderr, async client =>
        {
            BatchList page = await client.ListAsync(parse.GetValue(limit), parse.GetValue(after), cancellationToken);
            await stdout.WriteLineAsync($"{"id",-38}  {"status",-11}  {"done",13}  {"failed",6}  created (UTC)");
            foreach (BatchRecord batch in page.Data)
            {
                BatchRequestCounts counts = batch.RequestCounts;
                await stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                    $"{batch.Id,-38}  {BatchProgressBar.Status(batch.Status),-11}  {$"{counts.Completed + counts.Failed}/{counts.Total}",13}  {counts.Failed,6}  {Time(batch.CreatedAt)}"));
            }

            if (page.HasMore)
            {
                await stdout.WriteLineAsync($"(more: --after {page.LastId})");
            }

            return 0;
        }));

        var cancel = new Command("cancel", "Cancel a batch: it stops within one chunk of lines, keeping the results written so far.") { batchId };
        cancel.SetAction((parse, cancellationToken) => RunAsync(parse, url, apiKey, stderr, async client =>
        {
            BatchRecord batch = await client.CancelAsync(parse.GetValue(batchId)!, cancellationToken);
            await stdout.WriteLineAsync($"{batch.Id} {BatchProgressBar.Status(batch.Status)}");
            return 0;
        }));

        return new Command("batch",
            "Batch jobs through a server's OpenAI-compatible Files and Batch API: submit, status, wait, download, ls, cancel. " +
            "Typical: id=$(thaw batch submit in.jsonl) && thaw batch wait $id && thaw batch download $id -o results/")
        {
            url, apiKey, submit, status, wait, download, list, cancel,
        };
    }

    /// <summary>
    /// Checks each line as the server will — the frame (custom_id, method, url, body), one endpoint for the whole file
    /// (the first line's url), and the body for that endpoint with the default limits — except what needs the server's
    /// catalog (the model). Returns the endpoint the batch is created for.
    /// </summary>
    internal static async Task<(int Lines, List<string> Problems, string Endpoint)> CheckAsync(string path, CancellationToken cancellationToken)
    {
        var problems = new List<string>();
        var limits = new LimitsOptions();
        int lines = 0;
        string? endpoint = null;
        await using FileStream content = File.OpenRead(path);
        await foreach (BatchInputEntry entry in BatchInputReader.ReadAsync(content, limits.MaxRequestBytes, cancellationToken))
        {
            lines++;
            if (entry.Error is { } error)
            {
                problems.Add(error.Message);
            }
            else if (!BatchLineChecks.Endpoints.Contains(entry.Line!.Url))
            {
                problems.Add($"Line {entry.LineNumber}: url '{entry.Line.Url}' is not supported; Thaw batches serve {string.Join(", ", BatchLineChecks.Endpoints)}.");
            }
            else if ((endpoint ??= entry.Line.Url) != entry.Line.Url)
            {
                problems.Add($"Line {entry.LineNumber}: url '{entry.Line.Url}' is not the batch's endpoint '{endpoint}' (the first line's); a batch serves one endpoint.");
            }
            else if (BatchLineChecks.Check(endpoint, entry.Line.Body, limits) is ApiError refused)
            {
                problems.Add($"Line {entry.LineNumber}: body: {refused.Message}");
            }
        }

        return (lines, problems, endpoint ?? EmbeddingsBatchHandler.Url);
    }

    private static async Task<int> RunAsync(ParseResult parse, Option<string> url, Option<string?> apiKey, TextWriter stderr, Func<BatchApiClient, Task<int>> action)
    {
        string server = parse.GetValue(url)!;
        if (!Uri.TryCreate(server, UriKind.Absolute, out _))
        {
            await stderr.WriteLineAsync($"thaw batch: --url '{server}' is not an absolute URL.");
            return 2;
        }

        using BatchApiClient client = BatchApiClient.Create(server, parse.GetValue(apiKey));
        try
        {
            return await action(client);
        }
        catch (BatchApiException e)
        {
            await stderr.WriteLineAsync($"thaw batch: {e.Message}");
            return 1;
        }
        catch (HttpRequestException e) when (e.InnerException is SocketException || e.HttpRequestError == HttpRequestError.ConnectionError)
        {
            await stderr.WriteLineAsync($"thaw batch: cannot reach {server} ({e.Message}). Is 'thaw serve' running? (--url)");
            return 1;
        }
    }

    private static async Task PrintAsync(TextWriter stdout, BatchRecord batch)
    {
        BatchRequestCounts counts = batch.RequestCounts;
        var rows = new List<(string, string?)>
        {
            ("id", batch.Id),
            ("status", BatchProgressBar.Status(batch.Status)),
            ("endpoint", batch.Endpoint),
            ("requests", $"{counts.Total} total, {counts.Completed} completed, {counts.Failed} failed"),
            ("input_file_id", batch.InputFileId),
            ("output_file_id", batch.OutputFileId),
            ("error_file_id", batch.ErrorFileId),
            ("created_at", Time(batch.CreatedAt)),
            ("in_progress_at", Time(batch.InProgressAt)),
            ("completed_at", Time(batch.CompletedAt)),
            ("failed_at", Time(batch.FailedAt)),
            ("cancelled_at", Time(batch.CancelledAt)),
            ("expires_at", Time(batch.ExpiresAt)),
        };
        foreach (BatchError error in batch.Errors?.Data ?? [])
        {
            rows.Add(("error", $"{error.Code}: {error.Message}"));
        }

        foreach ((string name, string? value) in rows.Where(r => r.Item2 is not null))
        {
            await stdout.WriteLineAsync($"{name,-15} {value}");
        }
    }

    private static string? Time(long? unixSeconds) =>
        unixSeconds is { } seconds ? DateTimeOffset.FromUnixTimeSeconds(seconds).ToString("yyyy-MM-dd HH:mm:ss", CultureInfo.InvariantCulture) : null;
}
