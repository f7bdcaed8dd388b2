using System.Text.Json.Serialization;

namespace Thaw.Http.Contracts;

/// <summary>A vector written as a JSON array of numbers, or as base64 of its little-endian float32 bytes.</summary>
[JsonConverter(typeof(EmbeddingVectorConverter))]
public readonly record struct EmbeddingVector(float[] Values, bool Base64);
