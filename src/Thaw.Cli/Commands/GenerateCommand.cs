using System.CommandLine;
using Thaw.Inference.Catalog;
using Thaw.Inference.Generation;
using Thaw.Inference.Generation.Completions;
using Thaw.Inference.Generation.Sampling;
using Thaw.Inference.Generation.Scheduling;
using Thaw.Inference.Generation.Templates;
using Thaw.Inference.Models;

namespace Thaw.Cli.Commands;

/// <summary>
/// <c>thaw generate</c>: runs a text-generation model in-process and streams its reply to the terminal as it is
/// generated, through the same model, scheduler and sampler as <c>/v1/chat/completions</c>.
/// </summary>
internal static class GenerateCommand
{
    public static Command Create(TextWriter stdout, TextWriter stderr, TextReader stdin)
    {
        var model = new Option<string?>("--model", "-m") { Description = "Model id (see 'thaw models list'). Default: the catalog's first text-generation model." };
        var system = new Option<string?>("--system") { Description = "A system message before the prompt (chat only)." };
        var raw = new Option<bool>("--raw") { Description = "Complete the prompt text as it is (/v1/completions), without the model's chat template." };
        var maxTokens = new Option<int>("--max-tokens") { Description = "The most tokens to generate.", DefaultValueFactory = _ => 256 };
        var temperature = new Option<double>("--temperature", "-t") { Description = "0 to 2; 0 is greedy (the same text every time).", DefaultValueFactory = _ => 1 };
        var topP = new Option<double>("--top-p") { Description = "0 to 1: sample from the smallest set of likely tokens holding this much probability.", DefaultValueFactory = _ => 1 };
        var topK = new Option<int>("--top-k") { Description = "Sample from the k most likely tokens; 0 keeps them all." };
        var seed = new Option<long?>("--seed") { Description = "The same seed and settings give the same text." };
        var stop = new Option<string[]>("--stop") { Description = "End the text before this sequence (up to 4; repeat the option).", Arity = ArgumentArity.ZeroOrMore };
        var usage = new Option<bool>("--usage") { Description = "Print token counts, time to first token and tokens/s to standard error at the end." };
        var prompt = new Argument<string[]>("prompt")
        {
            Description = "The prompt (words are joined with spaces). None: the whole of standard input.",
            Arity = ArgumentArity.ZeroOrMore,
        };
        var command = new Command("generate",
            "Generate text in-process with a text-generation model and stream it to standard output as it comes (Ctrl-C stops it).")
        {
            model, system, raw, maxTokens, temperature, topP, topK, seed, stop, usage, prompt,
        };
        command.SetAction(async (parse, cancellationToken) =>
        {
            string text = parse.GetValue(prompt) is { Length: > 0 } words ? string.Join(' ', words) : await stdin.ReadToEndAsync(cancellationToken);
            if (string.IsNullOrWhiteSpace(text))
            {
                await stderr.WriteLineAsync("thaw generate: the prompt is empty: give it as arguments or on standard input.");
                return 2;
            }

            using IHost host = LocalHost.Build(ConfigurationOverrides.Read(parse));
            await host.StartAsync(cancellationToken);
            try
            {
                ModelHost pool = host.Services.GetRequiredService<ModelHost>();
                string id = parse.GetValue(model) ?? DefaultModel(pool.Catalog);
                if (pool.Catalog.Get(id).Task != ModelTask.TextGeneration)
                {
                    await stderr.WriteLineAsync($"thaw generate: '{id}' is an {pool.Catalog.Get(id).Task.Name()} model; generate needs a text-generation model (see 'thaw models list').");
                    return 2;
                }

                var settings = new CompletionSettings
                {
                    MaxTokens = parse.GetValue(maxTokens),
                    Sampling = new SamplingParameters
                    {
                        Temperature = parse.GetValue(temperature),
                        TopP = parse.GetValue(topP),
                        TopK = parse.GetValue(topK),
                        Seed = parse.GetValue(seed),
                    },
                    Stop = parse.GetValue(stop) ?? [],
                };
                return await pool.UseAsync<TextGenerationModel, int>(id, isRequest: true, async (loaded, token) =>
                {
                    IReadOnlyList<int> tokens = parse.GetValue(raw) || loaded.ChatTemplate is null
                        ? loaded.EncodePrompt(text)
                        : loaded.EncodeChat(Conversation(parse.GetValue(system), text));
                    long started = TimeProvider.System.GetTimestamp();
                    TimeSpan? firstToken = null;
                    FinishReason? finish = null;
                    using TextCompletion completion = loaded.Start(tokens, settings, cancellationToken: token);
                    await foreach (CompletionDelta delta in completion.ReadAllAsync(token))
                    {
                        firstToken ??= TimeProvider.System.GetElapsedTime(started);
                        await stdout.WriteAsync(delta.Text);
                        await stdout.FlushAsync(token);
                        finish = delta.FinishReason ?? finish;
                    }

                    await stdout.WriteLineAsync();
                    if (parse.GetValue(usage))
                    {
                        GenerationUsage counts = await completion.GetUsageAsync();
                        TimeSpan took = TimeProvider.System.GetElapsedTime(started);
                        await stderr.WriteLineAsync(
                            $"{counts.PromptTokens} prompt + {counts.CompletionTokens} completion tokens, finish_reason {finish?.ToString().ToLowerInvariant()}, " +
                            $"first token after {firstToken?.TotalMilliseconds ?? 0:F0} ms, {counts.CompletionTokens / Math.Max(took.TotalSeconds, 1e-9):F1} tokens/s");
                    }

                    return 0;
                }, cancellationToken);
            }
            catch (ArgumentException e) when (e.ParamName is { } field)
            {
                // The core names OpenAI's field (top_p); the user typed the option (--top-p).
                await stderr.WriteLineAsync($"thaw generate: --{field.Replace('_', '-')}: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is ContextLengthExceededException or ModelNotFoundException or UnsupportedChatContentException or NoTextGenerationModelException)
            {
                await stderr.WriteLineAsync($"thaw generate: {e.Message}");
                return 2;
            }
            catch (Exception e) when (e is ModelNotReadyException or ModelTooLargeException or ModelCatalogException)
            {
                await stderr.WriteLineAsync($"thaw generate: {e.Message}");
                return 1;
            }
            finally
            {
                await host.StopAsync(CancellationToken.None);
            }
        });
        return command;
    }

    private static string DefaultModel(ModelCatalog catalog) =>
        catalog.Models.Where(m => m.Task == ModelTask.TextGeneration).Select(m => m.Id).Order(StringComparer.Ordinal).FirstOrDefault()
        ?? throw new NoTextGenerationModelException();

    private static ChatMessage[] Conversation(string? system, string prompt) => system is null
        ? [ChatMessage.FromText("user", prompt)]
        : [ChatMessage.FromText("system", system), ChatMessage.FromText("user", prompt)];

    private sealed class NoTextGenerationModelException()
        : Exception("The catalog has no text-generation model: add an exported decoder with 'thaw models add <folder>' (docs/generation.md).");
}
