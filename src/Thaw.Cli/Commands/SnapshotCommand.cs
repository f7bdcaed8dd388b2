using System.CommandLine;
using System.Diagnostics;
using System.Globalization;
using Thaw.Inference.Backends;
using Thaw.Inference.Catalog;
using Thaw.Inference.Models;
using Thaw.Inference.Snapshots;
using Thaw.Inference.Sources;
using Thaw.Inference.Storage;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw snapshot</c>: a model's prepared snapshot (optimized for this runtime, provider and device) and its
/// verified source files, in the tiers they live in — this machine's cache and the shared snapshot store (Blob
/// Storage) — built, listed, moved and checked.
/// </summary>
internal static class SnapshotCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr)
    {
        return new Command("snapshot",
            "Prepared-model snapshots and source files by tier: this machine's cache (Thaw:CacheDirectory) and the shared " +
            "snapshot store (Blob Storage, with Thaw:Storage:ConnectionString or ServiceUri). A snapshot is the model optimized " +
            "by ONNX Runtime for one runtime version, provider and device (its key), with its weights as external data, so a " +
            "new instance skips optimization and maps the weights. Everything is addressed by SHA-256 and verified before use. " +
            "The provider is Thaw:Onnx:ExecutionProvider (e.g. --set Thaw:Onnx:ExecutionProvider=Cuda on a GPU machine).")
        {
            Create("build", "Prepare this machine's snapshot of the model from its source files (unless cached), then publish it to the store when one is configured.", stdout, stderr, BuildAsync),
            Create("ls", "List the source files and the snapshots (key, what they were prepared for, size, created) with the tiers that hold them.", stdout, stderr, ListAsync),
            Create("pull", "Fill this machine's cache: this machine's snapshot from the store if it holds one, else the source files (store, else origin).", stdout, stderr, PullAsync),
            Create("push", "Publish the source files and this machine's snapshot (built first if needed) to the snapshot store.", stdout, stderr, PushAsync),
            Create("verify", "Re-hash the cached copies and the store's copies of the source files and snapshots; exit 1 if any differs.", stdout, stderr, VerifyAsync),
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
                var context = new Context(models, host.Services.GetRequiredService<ModelFileCache>(), host.Services.GetRequiredService<SnapshotCache>(),
                    host.Services.GetRequiredService<IEncoderBackend>(), host.Services.GetService<ISnapshotStore>(), stdout, stderr);
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
        await context.Stdout.WriteLineAsync();
        HashSet<string> ids = context.Models.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        IReadOnlyList<SnapshotManifest> local = context.Snapshots.ListLocal();
        IReadOnlyList<SnapshotManifest> stored = await context.Snapshots.ListStoredAsync(cancellationToken);
        var snapshots = new List<string[]> { new[] { "MODEL", "SNAPSHOT KEY", "PREPARED FOR", "SIZE", "CREATED", "CACHE", "SNAPSHOT STORE", "THIS MACHINE" } };
        HashSet<string> ours = context.Models.Select(m => context.Backend.GetSnapshotKey(m)?.Id).OfType<string>().ToHashSet(StringComparer.Ordinal);
        foreach (SnapshotManifest manifest in local.Concat(stored).Where(m => ids.Contains(m.Key.ModelId)).DistinctBy(m => m.Key.Id).OrderBy(m => m.Key.ModelId, StringComparer.Ordinal))
        {
            string id = manifest.Key.Id;
            snapshots.Add([manifest.Key.ModelId, id, manifest.Key.Describe(), $"{manifest.Size / 1e6:0.0} MB",
                manifest.CreatedAt.ToString("yyyy-MM-dd HH:mm'Z'", CultureInfo.InvariantCulture),
                local.Any(m => m.Key.Id == id) ? "yes" : "-",
                context.Store is null ? "not configured" : stored.Any(m => m.Key.Id == id) ? "yes" : "-",
                ours.Contains(id) ? "yes" : "-"]);
        }

        if (snapshots.Count == 1)
        {
            await context.Stdout.WriteLineAsync("No snapshots yet: 'thaw snapshot build' or the first load of a model prepares one.");
        }
        else
        {
            await WriteTableAsync(context.Stdout, snapshots);
        }

        return 0;
    }

    private static async Task<int> BuildAsync(Context context, CancellationToken cancellationToken)
    {
        var bar = new TransferProgressBar(context.Stderr);
        foreach (ModelManifest model in context.Models)
        {
            LocalSnapshot snapshot = await EnsureSnapshotAsync(context, model, bar, cancellationToken);
            await context.Stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                $"{model.Id}: snapshot {snapshot.Manifest.Key.Id} ({snapshot.Manifest.Key.Describe()}), {snapshot.Manifest.Size / 1e6:0.0} MB in {snapshot.Directory}"));
            if (context.Store is not null)
            {
                await context.Stdout.WriteLineAsync($"{model.Id}: {Describe(await context.Snapshots.PublishAsync(snapshot, bar, cancellationToken), context, snapshot)}");
            }
        }

        return 0;
    }

    /// <summary>This machine's snapshot of the model: cached, pulled from the store, or built here from the source files.</summary>
    private static async Task<LocalSnapshot> EnsureSnapshotAsync(Context context, ModelManifest model, TransferProgressBar bar, CancellationToken cancellationToken)
    {
        SnapshotKey key = context.Backend.GetSnapshotKey(model)
            ?? throw new SnapshotStoreUnavailableException($"model '{model.Id}': this machine's backend cannot prepare a snapshot (see the log).");
        if ((await context.Snapshots.FindAsync(key, model, bar, cancellationToken)).Snapshot is { } found)
        {
            return found;
        }

        ModelFiles files = await context.Cache.EnsureAsync(model, bar, cancellationToken);
        string staging = context.Snapshots.BeginBuild(key);
        try
        {
            long started = Stopwatch.GetTimestamp();
            CreatedSession created = await context.Backend.CreateSessionAsync(model, new SessionSource(files.ModelPath, SnapshotDirectory: staging), cancellationToken);
            created.Session.Dispose();
            string prepared = created.PreparedModelFile ?? throw new InvalidOperationException($"Bug: the backend offered snapshot key {key.Id} but wrote no prepared model.");
            return await context.Snapshots.CommitAsync(key, staging, prepared, files.VocabPath, Stopwatch.GetElapsedTime(started), cancellationToken);
        }
        finally
        {
            SnapshotCache.Abandon(staging);
        }
    }

    private static string Describe(PublishOutcome outcome, Context context, LocalSnapshot snapshot) => outcome switch
    {
        PublishOutcome.Published => $"snapshot published to {context.Store!.DescribeDocument(SnapshotCache.GetDocumentName(snapshot.Manifest.Key))}",
        PublishOutcome.AlreadyPublished => $"snapshot already in {context.Store!.DescribeDocument(SnapshotCache.GetDocumentName(snapshot.Manifest.Key))}",
        PublishOutcome.PublishedByAnother => "another instance is publishing this snapshot now",
        PublishOutcome.StoreUnavailable => throw new SnapshotStoreUnavailableException("the snapshot store could not be reached (see the log)."),
        _ => "no snapshot store is configured",
    };

    private static async Task<int> PullAsync(Context context, CancellationToken cancellationToken)
    {
        foreach (ModelManifest model in context.Models)
        {
            long started = Stopwatch.GetTimestamp();
            var bar = new TransferProgressBar(context.Stderr);
            if (context.Backend.GetSnapshotKey(model) is { } key)
            {
                SnapshotLookup lookup = await context.Snapshots.FindAsync(key, model, bar, cancellationToken);
                if (lookup.Snapshot is { } snapshot)
                {
                    await context.Stdout.WriteLineAsync(string.Create(CultureInfo.InvariantCulture,
                        $"{model.Id}: snapshot {key.Id} from {lookup.Tier.ToName()}, {lookup.BytesFetched / 1e6:0.0} MB fetched in {Stopwatch.GetElapsedTime(started).TotalMilliseconds:0} ms"));
                    continue;
                }
            }

            ModelFiles files = await context.Cache.EnsureAsync(model, bar, cancellationToken);
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

            LocalSnapshot snapshot = await EnsureSnapshotAsync(context, model, bar, cancellationToken);
            await context.Stdout.WriteLineAsync($"{model.Id}: {Describe(await context.Snapshots.PublishAsync(snapshot, bar, cancellationToken), context, snapshot)}");
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
                    : await VerifiedFile.HashAsync(cached, cancellationToken) == file.Sha256 ? "ok" : "CORRUPT";
                string remote = context.Store is null ? "not configured" : await VerifyStoredAsync(context.Store, file.Sha256, cancellationToken);
                bad += (local == "CORRUPT" ? 1 : 0) + (remote == "CORRUPT" ? 1 : 0);
                await context.Stdout.WriteLineAsync($"{model.Id}/{file.Name}: cache {local}, snapshot store {remote}");
            }
        }

        HashSet<string> ids = context.Models.Select(m => m.Id).ToHashSet(StringComparer.Ordinal);
        foreach (SnapshotManifest manifest in context.Snapshots.ListLocal().Where(m => ids.Contains(m.Key.ModelId)))
        {
            string directory = context.Snapshots.GetDirectory(manifest.Key);
            foreach (SnapshotFile file in manifest.Files)
            {
                string path = Path.Combine(directory, file.Name);
                string verdict = File.Exists(path) && await VerifiedFile.HashAsync(path, cancellationToken) == file.Sha256 ? "ok" : "CORRUPT";
                bad += verdict == "CORRUPT" ? 1 : 0;
                await context.Stdout.WriteLineAsync($"{manifest.Key.ModelId} snapshot {manifest.Key.Id}/{file.Name}: cache {verdict}");
            }
        }

        foreach (SnapshotManifest manifest in (await context.Snapshots.ListStoredAsync(cancellationToken)).Where(m => ids.Contains(m.Key.ModelId)))
        {
            foreach (SnapshotFile file in manifest.Files)
            {
                string verdict = await VerifyStoredAsync(context.Store!, file.Sha256, cancellationToken);
                bad += verdict == "ok" ? 0 : 1;
                await context.Stdout.WriteLineAsync($"{manifest.Key.ModelId} snapshot {manifest.Key.Id}/{file.Name}: snapshot store {verdict}");
            }
        }

        return bad == 0 ? 0 : 1;
    }

    private static async Task<string> VerifyStoredAsync(ISnapshotStore store, string sha256, CancellationToken cancellationToken)
    {
        string temporary = Path.Combine(Path.GetTempPath(), $"thaw-verify-{Guid.NewGuid():N}");
        try
        {
            return !await store.TryFetchAsync(sha256, temporary, cancellationToken: cancellationToken) ? "absent"
                : await VerifiedFile.HashAsync(temporary, cancellationToken) == sha256 ? "ok" : "CORRUPT";
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

    private sealed record Context(
        ModelManifest[] Models, ModelFileCache Cache, SnapshotCache Snapshots, IEncoderBackend Backend, ISnapshotStore? Store, TextWriter Stdout, TextWriter Stderr);
}
