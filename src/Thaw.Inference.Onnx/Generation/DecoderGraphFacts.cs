namespace Thaw.Inference.Onnx.Generation;

/// <summary>What a decoder graph is, in the words of a manifest's <c>generation</c> object (<c>layout</c>, <c>kvDtype</c>, ...).</summary>
public sealed record DecoderGraphFacts(string Layout, int Layers, int KvHeads, int HeadDim, int VocabSize, string KvDtype);
