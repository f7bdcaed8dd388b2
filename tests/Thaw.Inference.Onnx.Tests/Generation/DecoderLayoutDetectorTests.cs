using Google.Protobuf;
using Thaw.Inference.Onnx.Generation;
using Thaw.Inference.Onnx.Generation.Synthetic;
using Thaw.Inference.Onnx.Generation.Synthetic.Proto;

namespace Thaw.Inference.Onnx.Tests.Generation;

public sealed class DecoderLayoutDetectorTests : IDisposable
{
    private readonly DirectoryInfo _folder = Directory.CreateTempSubdirectory("thaw-layout-");

    public void Dispose() => _folder.Delete(recursive: true);

    [Theory]
    [InlineData(nameof(DecoderLayout.Optimum))]
    [InlineData(nameof(DecoderLayout.GroupQueryAttention))]
    public void Detect_SyntheticDecoder_FindsTheLayoutItWasBuiltIn(string layout)
    {
        DecoderLayout expected = Enum.Parse<DecoderLayout>(layout);
        string path = Write("model.onnx", SyntheticDecoderModel.Build(SyntheticSessions.Weights(expected)));

        Assert.Equal(expected, DecoderLayoutDetector.Detect(path));
    }

    [Fact]
    public void Read_SyntheticDecoder_ListsItsInputsAndOperatorsWithoutReadingTheWeights()
    {
        byte[] model = SyntheticDecoderModel.Build(SyntheticSessions.Weights(DecoderLayout.GroupQueryAttention));
        using var stream = new CountingStream(model);

        OnnxGraphOutline outline = OnnxGraphOutline.Read(stream);

        Assert.Equal("input_ids", outline.Inputs[0]);
        Assert.Contains("attention_mask", outline.Inputs);
        Assert.Contains(DecoderGraph.PastValue(1), outline.Inputs);
        Assert.Contains(("com.microsoft", "GroupQueryAttention"), outline.Operators);
        Assert.Contains(("", "MatMul"), outline.Operators);
        Assert.True(stream.BytesRead * 10 < model.Length, $"read {stream.BytesRead} of {model.Length} bytes");
    }

    [Fact]
    public void Detect_LegacyMergedExport_IsRefusedNamingTheFix()
    {
        string path = Write("decoder_model_merged.onnx", Model(["input_ids", "attention_mask", DecoderGraph.PastKey(0), DecoderGraph.PastValue(0), "use_cache_branch"], "If"));

        var error = Assert.Throws<InvalidOperationException>(() => DecoderLayoutDetector.Detect(path));

        Assert.Contains("use_cache_branch", error.Message, StringComparison.Ordinal);
        Assert.Contains("optimum-cli export onnx --task text-generation-with-past", error.Message, StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("decoder_model.onnx")]
    [InlineData("decoder_with_past_model.onnx")]
    public void Detect_LegacySplitExport_IsRefusedNamingTheFix(string name)
    {
        string path = Write(name, Model(["input_ids", "attention_mask", DecoderGraph.PastKey(0)], "Attention"));

        var error = Assert.Throws<InvalidOperationException>(() => DecoderLayoutDetector.Detect(path));

        Assert.Contains("split export", error.Message, StringComparison.Ordinal);
        Assert.Contains("model builder", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Detect_DecoderWithoutCacheInputs_IsRefused()
    {
        string path = Write("model.onnx", Model(["input_ids", "attention_mask"], "MatMul"));

        var error = Assert.Throws<InvalidOperationException>(() => DecoderLayoutDetector.Detect(path));

        Assert.Contains($"no KV-cache input '{DecoderGraph.PastKey(0)}'", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Read_TruncatedModel_IsInvalidData()
    {
        byte[] model = SyntheticDecoderModel.Build(SyntheticSessions.Weights(DecoderLayout.Optimum));

        Assert.Throws<InvalidDataException>(() => OnnxGraphOutline.Read(new MemoryStream(model, 0, model.Length / 2)));
    }

    private string Write(string name, byte[] bytes)
    {
        string path = Path.Combine(_folder.FullName, name);
        File.WriteAllBytes(path, bytes);
        return path;
    }

    /// <summary>A graph with these inputs and one node: enough to outline, not to run.</summary>
    private static byte[] Model(string[] inputs, string opType)
    {
        var graph = new GraphProto { Name = "legacy" };
        graph.Input.AddRange(inputs.Select(name => new ValueInfoProto { Name = name }));
        graph.Node.Add(new NodeProto { OpType = opType, Name = "n0" });
        graph.Initializer.Add(new TensorProto { Name = "w", DataType = (int)TensorProto.Types.DataType.Float, RawData = ByteString.CopyFrom(new byte[4096]) });
        return new ModelProto { IrVersion = 8, Graph = graph }.ToByteArray();
    }

    /// <summary>A read-only memory stream that counts the bytes read from it (seeks are free).</summary>
    private sealed class CountingStream(byte[] bytes) : MemoryStream(bytes, writable: false)
    {
        public long BytesRead { get; private set; }

        public override int Read(byte[] buffer, int offset, int count) => Counted(base.Read(buffer, offset, count));

        public override int Read(Span<byte> buffer) => Counted(base.Read(buffer));

        public override int ReadByte()
        {
            int b = base.ReadByte();
            BytesRead += b < 0 ? 0 : 1;
            return b;
        }

        private int Counted(int read)
        {
            BytesRead += read;
            return read;
        }
    }
}
