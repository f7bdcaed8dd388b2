using Thaw.Inference.Generation.Completions;

namespace Thaw.Http.Generation;

/// <summary>A completion running on its model, with how its route writes the answer and the settings it runs with.</summary>
internal sealed record StartedCompletion(TextCompletion Completion, ICompletionFormat Format, CompletionSettings Settings);
