using System.Runtime.InteropServices;
using Google.Protobuf;
using Thaw.Inference.Onnx.Generation.Synthetic.Proto;

namespace Thaw.Inference.Onnx.Generation.Synthetic;

/// <summary>Appends nodes, initializers and graph inputs/outputs to an ONNX graph, naming intermediate values.</summary>
internal sealed class OnnxGraphWriter
{
    private const long IrVersion = 8;
    private const long OnnxOpset = 17;
    private const string MicrosoftDomain = "com.microsoft";

    private readonly GraphProto _graph = new() { Name = "synthetic-decoder" };
    private int _next;

    public void Input(string name, TensorProto.Types.DataType type, params object[] dims) => _graph.Input.Add(ValueInfo(name, type, dims));

    public void Output(string name, TensorProto.Types.DataType type, params object[] dims) => _graph.Output.Add(ValueInfo(name, type, dims));

    public string Initializer(string name, ReadOnlySpan<float> values, params long[] dims) =>
        Add(name, TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(values), dims);

    public string Int64(params long[] values) =>
        Add($"const_{_next++}", TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(values.AsSpan()), values.Length);

    public string Int64Scalar(long value) =>
        Add($"const_{_next++}", TensorProto.Types.DataType.Int64, MemoryMarshal.AsBytes(new[] { value }.AsSpan()));

    public string FloatScalar(float value) =>
        Add($"const_{_next++}", TensorProto.Types.DataType.Float, MemoryMarshal.AsBytes(new[] { value }.AsSpan()));

    /// <summary>Adds a node with one output and returns the output's name.</summary>
    public string Node(string opType, string[] inputs, params (string Name, object Value)[] attributes) =>
        Node(opType, inputs, [$"{opType.ToLowerInvariant()}_{_next++}"], attributes)[0];

    public string[] Node(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes) =>
        AddNode(opType, "", inputs, outputs, attributes);

    public string[] MicrosoftNode(string opType, string[] inputs, string[] outputs, params (string Name, object Value)[] attributes) =>
        AddNode(opType, MicrosoftDomain, inputs, outputs, attributes);

    public byte[] ToModelBytes()
    {
        var model = new ModelProto { IrVersion = IrVersion, ProducerName = "thaw-synthetic", Graph = _graph };
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = "", Version = OnnxOpset });
        model.OpsetImport.Add(new OperatorSetIdProto { Domain = MicrosoftDomain, Version = 1 });
        return model.ToByteArray();
    }

    private string[] AddNode(string opType, string domain, string[] inputs, string[] outputs, (string Name, object Value)[] attributes)
    {
        var node = new NodeProto { OpType = opType, Domain = domain, Name = $"{opType}_{_next++}" };
        node.Input.Add(inputs);
        node.Output.Add(outputs);
        foreach ((string name, object value) in attributes)
        {
            node.Attribute.Add(value switch
            {
                long i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
                int i => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Int, I = i },
                float f => new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Float, F = f },
                long[] ints => Ints(name, ints),
                _ => throw new ArgumentException($"Attribute {name} has an unsupported type {value.GetType()}: a bug in the graph writer."),
            });
        }

        _graph.Node.Add(node);
        return outputs;
    }

    private static AttributeProto Ints(string name, long[] values)
    {
        var attribute = new AttributeProto { Name = name, Type = AttributeProto.Types.AttributeType.Ints };
        attribute.Ints.Add(values);
        return attribute;
    }

    private string Add(string name, TensorProto.Types.DataType type, ReadOnlySpan<byte> raw, params long[] dims)
    {
        var tensor = new TensorProto { Name = name, DataType = (int)type, RawData = ByteString.CopyFrom(raw) };
        tensor.Dims.Add(dims);
        _graph.Initializer.Add(tensor);
        return name;
    }

    private static ValueInfoProto ValueInfo(string name, TensorProto.Types.DataType type, object[] dims)
    {
        var shape = new TensorShapeProto();
        foreach (object dim in dims)
        {
            shape.Dim.Add(dim switch
            {
                string symbol => new TensorShapeProto.Types.Dimension { DimParam = symbol },
                int size => new TensorShapeProto.Types.Dimension { DimValue = size },
                _ => throw new ArgumentException($"Dimension {dim} is neither a size nor a symbol: a bug in the graph writer."),
            });
        }

        return new ValueInfoProto { Name = name, Type = new TypeProto { TensorType = new TypeProto.Types.Tensor { ElemType = (int)type, Shape = shape } } };
    }
}
