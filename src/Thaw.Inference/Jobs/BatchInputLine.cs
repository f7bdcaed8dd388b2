using System.Text.Json;

namespace Thaw.Inference.Jobs;

/// <summary>One request of an OpenAI batch input file: <c>{"custom_id","method","url","body"}</c>.</summary>
public sealed record BatchInputLine(string CustomId, string Method, string Url, JsonElement Body);
