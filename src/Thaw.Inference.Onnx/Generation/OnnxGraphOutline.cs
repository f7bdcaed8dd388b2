using System.Text;

namespace Thaw.Inference.Onnx.Generation;

/// <summary>
/// The graph inputs and node operators of an ONNX model, read straight off the protobuf wire format: the bytes of
/// weights and other fields are seeked over, never read, so outlining a multi-gigabyte model costs a few reads.
/// ONNX Runtime's API shows a session's inputs but not its nodes, and which attention operator a decoder uses decides
/// its backend.
/// </summary>
internal sealed record OnnxGraphOutline(IReadOnlyList<string> Inputs, IReadOnlySet<(string Domain, string OpType)> Operators)
{
    // Field numbers of onnx.proto: ModelProto.graph, GraphProto.node and .input, NodeProto.op_type and .domain,
    // ValueInfoProto.name.
    private const int ModelGraph = 7, GraphNode = 1, GraphInput = 11, NodeOpType = 4, NodeDomain = 7, ValueInfoName = 1;

    /// <summary>Outlines the model in <paramref name="onnx"/> (seekable: a file or memory stream).</summary>
    /// <exception cref="InvalidDataException">The bytes are not a well-formed ONNX model.</exception>
    public static OnnxGraphOutline Read(Stream onnx)
    {
        var inputs = new List<string>();
        var operators = new HashSet<(string, string)>();
        var reader = new WireReader(onnx);
        reader.Fields(onnx.Length, (field, end) =>
        {
            if (field != ModelGraph)
            {
                return false;
            }

            reader.Fields(end, (graphField, graphEnd) =>
            {
                if (graphField == GraphNode)
                {
                    string opType = "", domain = "";
                    reader.Fields(graphEnd, (nodeField, nodeEnd) =>
                    {
                        if (nodeField == NodeOpType || nodeField == NodeDomain)
                        {
                            string text = reader.String(nodeEnd);
                            (opType, domain) = nodeField == NodeOpType ? (text, domain) : (opType, text);
                            return true;
                        }

                        return false;
                    });

                    // The default domain is written as "" or "ai.onnx".
                    operators.Add((domain == "ai.onnx" ? "" : domain, opType));
                    return true;
                }

                if (graphField == GraphInput)
                {
                    reader.Fields(graphEnd, (infoField, infoEnd) =>
                    {
                        if (infoField != ValueInfoName)
                        {
                            return false;
                        }

                        inputs.Add(reader.String(infoEnd));
                        return true;
                    });
                    return true;
                }

                return false;
            });
            return true;
        });

        return new OnnxGraphOutline(inputs, operators);
    }

    /// <summary>Protobuf's wire format: varint tags, then a varint, 8 or 4 bytes, or a length and that many bytes.</summary>
    private sealed class WireReader(Stream stream)
    {
        /// <summary>
        /// Reads the fields of a message that ends at <paramref name="end"/>. For a length-delimited field, <paramref name="visit"/>
        /// gets its number and end and returns whether it consumed it; every other field is skipped.
        /// </summary>
        public void Fields(long end, Func<int, long, bool> visit)
        {
            while (stream.Position < end)
            {
                ulong tag = Varint();
                int wireType = (int)(tag & 7);
                int field = (int)(tag >> 3);
                switch (wireType)
                {
                    case 0:
                        Varint();
                        break;
                    case 1:
                        Seek(8, end);
                        break;
                    case 2:
                        long length = (long)Varint();
                        long fieldEnd = stream.Position + length;
                        if (length < 0 || fieldEnd > end)
                        {
                            throw Malformed();
                        }

                        if (!visit(field, fieldEnd))
                        {
                            stream.Position = fieldEnd;
                        }
                        else if (stream.Position != fieldEnd)
                        {
                            throw Malformed();
                        }

                        break;
                    case 5:
                        Seek(4, end);
                        break;
                    default:
                        throw Malformed();
                }
            }

            if (stream.Position != end)
            {
                throw Malformed();
            }
        }

        /// <summary>The rest of a length-delimited field as UTF-8 text.</summary>
        public string String(long end)
        {
            byte[] bytes = new byte[end - stream.Position];
            stream.ReadExactly(bytes);
            return Encoding.UTF8.GetString(bytes);
        }

        private ulong Varint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                int b = stream.ReadByte();
                if (b < 0)
                {
                    throw Malformed();
                }

                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80)
                {
                    return value;
                }
            }

            throw Malformed();
        }

        private void Seek(int count, long end)
        {
            if (stream.Position + count > end)
            {
                throw Malformed();
            }

            stream.Position += count;
        }

        private static InvalidDataException Malformed() => new("The file is not a well-formed ONNX model (its protobuf encoding is truncated or corrupt).");
    }
}
