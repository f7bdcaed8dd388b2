namespace Thaw.Inference.Catalog;

/// <summary>The values of a manifest's <c>tokenizer.kind</c>.</summary>
public static class TokenizerKinds
{
    /// <summary>BERT's WordPiece over <c>vocab.txt</c> (embedding models).</summary>
    public const string BertWordPiece = "bert-wordpiece";

    /// <summary>Byte-level BPE from a Hugging Face <c>tokenizer.json</c> (GPT-2, Qwen2, Llama 3, SmolLM).</summary>
    public const string ByteLevelBpe = "byte-level-bpe";

    /// <summary>A SentencePiece BPE <c>tokenizer.model</c> (Llama 2, Mistral, Phi-3).</summary>
    public const string SentencePiece = "sentencepiece";
}
