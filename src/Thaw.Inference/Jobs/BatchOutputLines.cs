using System.Buffers;
using System.Text.Encodings.Web;
using System.Text.Json;
using Thaw.Inference.Telemetry;

namespace Thaw.Inference.Jobs;

/// <summary>
/// Writes OpenAI batch output lines: <c>{"id","custom_id","response":{"status_code","request_id","body"},"error"}</c>
/// for answered requests (200 to the output file, a refusal to the error file) and
/// <c>{"id","custom_id","response":null,"error":{"code","message"}}</c> for lines that were not requests.
/// </summary>
internal static class BatchOutputLines
{
    private static readonly JsonWriterOptions WriterOptions = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public static void Write(ArrayBufferWriter<byte> target, string batchId, BatchInputEntry entry, LineResult result)
    {
        using (var writer = new Utf8JsonWriter(target, WriterOptions))
        {
            writer.WriteStartObject();
            writer.WriteString("id", JobIds.RequestId(batchId, entry.Index));
            if (entry.CustomId is { } customId)
            {
                writer.WriteString("custom_id", customId);
            }
            else
            {
                writer.WriteNull("custom_id");
            }

            if (result.Error is { } error)
            {
                writer.WriteNull("response");
                writer.WriteStartObject("error");
                writer.WriteString("code", error.Code);
                writer.WriteString("message", error.Message);
                writer.WriteEndObject();
            }
            else
            {
                writer.WriteStartObject("response");
                writer.WriteNumber("status_code", result.StatusCode);
                writer.WriteString("request_id", RequestIds.ForBatchLine(batchId, entry.Index));
                writer.WritePropertyName("body");
                writer.WriteRawValue(result.Body.Span, skipInputValidation: true);
                writer.WriteEndObject();
                writer.WriteNull("error");
            }

            writer.WriteEndObject();
        }

        target.Write("\n"u8);
    }
}
