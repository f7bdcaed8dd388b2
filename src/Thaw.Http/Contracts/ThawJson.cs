using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization.Metadata;
using Thaw.Inference.Jobs;

namespace Thaw.Http.Contracts;

/// <summary>The serializer for everything Thaw writes: snake_case, source-generated, and readable (no \u0027 for quotes).</summary>
public static class ThawJson
{
    /// <summary>JSON bodies are never embedded in HTML, so the relaxed encoder is safe and keeps messages legible.</summary>
    public static ThawJsonContext Context { get; } = new(new JsonSerializerOptions(ThawJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
    });

    // The stores keep each record's owner; OpenAI's file and batch objects have no such field, so answers leave it out.
    private static readonly JsonSerializerOptions Answers = new(ThawJsonContext.Default.Options)
    {
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        TypeInfoResolver = ThawJsonContext.Default.WithAddedModifier(static info =>
        {
            if (info.Type == typeof(FileRecord) || info.Type == typeof(BatchRecord))
            {
                info.Properties.Remove(info.Properties.Single(p => p.Name == "owner"));
            }
        }),
    };

    /// <summary>A file as the API answers it (no owner).</summary>
    public static JsonTypeInfo<FileRecord> FileRecord { get; } = Answer<FileRecord>();

    /// <summary>A batch as the API answers it (no owner).</summary>
    public static JsonTypeInfo<BatchRecord> BatchRecord { get; } = Answer<BatchRecord>();

    /// <summary>A page of files as the API answers it (no owners).</summary>
    public static JsonTypeInfo<FileList> FileList { get; } = Answer<FileList>();

    /// <summary>A page of batches as the API answers it (no owners).</summary>
    public static JsonTypeInfo<BatchList> BatchList { get; } = Answer<BatchList>();

    private static JsonTypeInfo<T> Answer<T>() => (JsonTypeInfo<T>)Answers.GetTypeInfo(typeof(T));
}
