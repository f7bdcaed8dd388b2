using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;
using Thaw.Inference.Sources;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw snapshot</c>: the tiers a model's verified files live in — this machine's cache and the shared snapshot
/// store (Blob Storage) — listed, filled and checked.
/// </summary>
internal static class SnapshotCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        return new Command("snapshot",
            "Model files by tier: this machine's cache (Thaw:CacheDirectory) and the shared snapshot store (Blob Storage, " +
            "with Thaw:Storage:ConnectionString or ServiceUri). Files are addressed by SHA-256 and verified before use.")
        {
            Create("ls", "List each model file with the tiers that hold it.", stdout, stderr, ListAsync),
            Create("pull", "Fill this machine's cache: from the snapshot store if it holds the files, else from the origin (which then publishes them).", stdout, stderr, PullAsync),
            Create("push", "Publish the model's verified files to the snapshot store (fetching them first if needed).", stdout, stderr, PushAsync),
            Create("verify", "Re-hash the cached copies and the snapshot store's copies; exit 1 if any differs from the manifest.", stdout, stderr, VerifyAsync),
        };
    }

    private delegate Task<int> Action(Context context, CancellationToken cancellationToken);

    private static Command Create(string name, string description, TextWriter stdout, TextWriter stderr, Action action)
    {
        var model = new Option<string?>("--model", "-m") { Description = "One model id. Default: every model in the catalog." };
        var command = new Command(name, description) { model };
        command.SetAction(async (parse, cancellationToken) =>
        {
            using IHost host = LocalHost.Build(ConfigurationOverrides.Read(parse));
            ModelCatalog catalog = host.Services.GetRequiredService<ModelHost>().Catalog;
            try
            {
                ModelManifest[] models = parse.GetValue(model) is { } id ? [catalog.Get(id)] : [.. catalog.Models.OrderBy(m => m.Id, StringComparer.Ordinal)];
                var context = new Context(models, host.Services.GetRequiredService<ModelFileCache>(), host.Services.GetService<ISnapshotStore>(), stdout, stderr);
                return await action(context, cancellationToken);
            }
            catch (Exception e) when (e is ModelNotFoundException or ModelSourceException or SnapshotStoreUnavailableException)
            {
                await stderr.WriteLineAsync($"thaw snapshot {name}: {e.Message}");
                return e is ModelNotFoundException ? 2 : 1;
            }
        });
        return command;
    }

    private static async Task<int> ListAsync(Context context, CancellationToken cancellationToken)
    {
        var rows = new List<string[]> { new[] { "MODEL", "FILE", "SHA-256", "SIZE", "CACHE", "SNAPSHOT STORE" } };
        foreach (ModelManifest model in context.Models)
        {
            foreach (ModelFileSpec file in model.Files)
            {
                string store = context.Store is null ? "not configured" : await context.Store.GetSizeAsync(file.Sha256, cancellationToken) is null ? "-" : "yes";
                rows.Add([model.Id, file.Name, file.Sha256[..12], $"{file.Size / 1e6:0.0} MB", File.Exists(context.Cache.GetCachePath(model, file)) ? "yes" : "-", store]);
            }
        }

        await WriteTableAsync(context.Stdout, rows);
        return 0;
    }

    private static async Task<int> PullAsync(Context context, CancellationToken cancellationToken)
    {
        foreach (ModelManifest model in context.Models)
        {
            long started = Stopwatch.GetTimestamp();
            ModelFiles files = await context.Cache.EnsureAsync(model, new TransferProgressBar(context.Stderr), cancellationToken);
            TimeSpan elapsed = Stopwatch.GetElapsedTime(started);
            string rate = files.BytesFetched > 0 ? string.Create(CultureInfo.InvariantCulture, $", {files.BytesFetched / 1e6 / elapsed.TotalSeconds:0} MB/s") : "";
            await context.Stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{model.Id}: {files.Tier.ToName()}, {files.BytesFetched / 1e6:0.0} MB fetched, {files.BytesVerified / 1e6:0.0} MB verified in {elapsed.TotalMilliseconds:0} ms{rate}"));
            if (files.SnapshotStoreProblem is { } problem)
            {
                await context.Stderr.WriteLineAsync($"{model.Id}: snapshot store skipped: {problem}");
            }
        }

        return 0;
    }

    private static async Task<int> PushAsync(Context context, CancellationToken cancellationToken)
    {
        ISnapshotStore store = context.Store ?? throw new SnapshotStoreUnavailableException("no snapshot store is configured (set Thaw:Storage:ConnectionString or Thaw:Storage:ServiceUri).");
        var bar = new TransferProgressBar(context.Stderr);
        foreach (ModelManifest model in context.Models)
        {
            ModelFiles files = await context.Cache.EnsureAsync(model, bar, cancellationToken);
            foreach (ModelFileSpec file in model.Files)
            {
                bool present = await store.GetSizeAsync(file.Sha256, cancellationToken) is not null;
                if (!present)
                {
                    await store.PutAsync(file.Sha256, files.Paths[file.Role], bar.For(model.Id, file), cancellationToken);
                }

                await context.Stdout.WriteLineAsync($"{model.Id}/{file.Name}: {(present ? "already in" : "published to")} {store.Describe(file.Sha256)}");
            }
        }

        return 0;
    }

    private static async Task<int> VerifyAsync(Context context, CancellationToken cancellationToken)
    {
        int bad = 0;
        foreach (ModelManifest model in context.Models)
        {
            foreach (ModelFileSpec file in model.Files)
            {
                string cached = context.Cache.GetCachePath(model, file);
                string local = !File.Exists(cached) ? "not cached"
                    : await ModelFileCache.HashFileAsync(cached, cancellationToken) == file.Sha256 ? "ok" : "CORRUPT";
                string remote = context.Store is null ? "not configured" : await VerifyStoredAsync(context.Store, file, cancellationToken);
                bad += (local == "CORRUPT" ? 1 : 0) + (remote == "CORRUPT" ? 1 : 0);
                await context.Stdout.WriteLineAsync($"{model.Id}/{file.Name}: cache {local}, snapshot store {remote}");
            }
        }

        return bad == 0 ? 0 : 1;
    }

    private static async Task<string> VerifyStoredAsync(ISnapshotStore store, ModelFileSpec file, CancellationToken cancellationToken)
    {
        string temporary = Path.Combine(Path.GetTempPath(), $"thaw-verify-{Guid.NewGuid():N}");
        try
        {
            return !await store.TryFetchAsync(file.Sha256, temporary, cancellationToken: cancellationToken) ? "absent"
                : await ModelFileCache.HashFileAsync(temporary, cancellationToken) == file.Sha256 ? "ok" : "CORRUPT";
        }
        finally
        {
            File.Delete(temporary);
        }
    }

    private static async Task WriteTableAsync(TextWriter stdout, List<string[]> rows)
    {
        int[] widths = Enumerable.Range(0, rows[0].Length).Select(c => rows.Max(r => r[c].Length)).ToArray();
        foreach (string[] row in rows)
        {
            await stdout.WriteLineAsync(string.Join("  ", row.Select((cell, c) => cell.PadRight(widths[c]))).TrimEnd());
        }
    }

    private sealed record Context(ModelManifest[] Models, ModelFileCache Cache, ISnapshotStore? Store, TextWriter Stdout, TextWriter Stderr);
}
