namespace Thaw.Inference.Onnx.Generation;

/// <summary>How a decoder graph keeps its KV cache, which decides the backend that runs it.</summary>
internal enum DecoderLayout
{
    /// <summary>
    /// Hugging Face optimum's single-file export: the graph Concats past and new K/V into a new
    /// <c>present</c> tensor each step; any 0/1 attention mask; <c>position_ids</c> is an input.
    /// </summary>
    Optimum,

    /// <summary>
    /// onnxruntime-genai's model builder: <c>com.microsoft.GroupQueryAttention</c> writes new K/V into a
    /// <c>[batch, kv_heads, max_len, head_dim]</c> buffer shared by past and present; right-padded mask.
    /// </summary>
    GroupQueryAttention,
}
