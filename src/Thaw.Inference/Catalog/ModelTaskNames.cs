namespace Thaw.Inference.Catalog;

/// <summary>The names of tasks as manifests, <c>/v1/models</c> and <c>thaw models list</c> write them.</summary>
public static class ModelTaskNames
{
    public static string Name(this ModelTask task) => task switch
    {
        ModelTask.Embedding => "embedding",
        ModelTask.TextGeneration => "text-generation",
        _ => throw new ArgumentOutOfRangeException(nameof(task), task, "Bug: a task without a name."),
    };
}
