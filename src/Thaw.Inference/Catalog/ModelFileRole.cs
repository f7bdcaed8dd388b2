using System.Text.Json.Serialization;

namespace Thaw.Inference.Catalog;

/// <summary>What a model's file is for; which roles a model needs depends on its task (<see cref="ModelCatalog"/>).</summary>
[JsonConverter(typeof(JsonStringEnumConverter<ModelFileRole>))]
public enum ModelFileRole
{
    /// <summary>The ONNX graph (<c>model.onnx</c>).</summary>
    Model,

    /// <summary>A BERT WordPiece vocabulary (<c>vocab.txt</c>; embedding models).</summary>
    Vocab,

    /// <summary>
    /// The graph's external weights (<c>model.onnx.data</c>; optional). The graph names it relative to itself, so the
    /// cache keeps it beside the graph's file (<see cref="Sources.ModelFileCache.GetCachePath"/>).
    /// </summary>
    [JsonStringEnumMemberName("modelData")]
    ModelData,

    /// <summary>A decoder's tokenizer: Hugging Face <c>tokenizer.json</c> or a SentencePiece <c>tokenizer.model</c>.</summary>
    Tokenizer,

    /// <summary><c>tokenizer_config.json</c> (optional): added tokens and whether BOS is prepended.</summary>
    [JsonStringEnumMemberName("tokenizerConfig")]
    TokenizerConfig,

    /// <summary><c>generation_config.json</c> or <c>genai_config.json</c> (optional; kept for people and tools, not read at load).</summary>
    [JsonStringEnumMemberName("generationConfig")]
    GenerationConfig,
}
