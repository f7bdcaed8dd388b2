using System.Text;

namespace Thaw.Inference.Tests.Generation.Tokenizers;

/// <summary>
/// Writes a small SentencePiece BPE <c>tokenizer.model</c> (the ModelProto of sentencepiece_model.proto) by hand:
/// &lt;unk&gt; &lt;s&gt; &lt;/s&gt;, 256 byte-fallback pieces, then the given pieces with their scores.
/// </summary>
internal static class SentencePieceModel
{
    public const int FirstPiece = 259;

    public static MemoryStream Create(IReadOnlyList<(string Piece, float Score)> pieces)
    {
        var model = new MemoryStream();
        WritePiece(model, "<unk>", 0, type: 2);
        WritePiece(model, "<s>", 0, type: 3);
        WritePiece(model, "</s>", 0, type: 3);
        for (int b = 0; b < 256; b++)
        {
            WritePiece(model, $"<0x{b:X2}>", 0, type: 6);
        }

        foreach ((string piece, float score) in pieces)
        {
            WritePiece(model, piece, score, type: 1);
        }

        // TrainerSpec: model_type BPE (3), byte_fallback (35), unk/bos/eos/pad ids (40-43).
        var trainer = new MemoryStream();
        WriteVarintField(trainer, 3, 2);
        WriteVarintField(trainer, 35, 1);
        WriteVarintField(trainer, 40, 0);
        WriteVarintField(trainer, 41, 1);
        WriteVarintField(trainer, 42, 2);
        WriteVarintField(trainer, 43, unchecked((ulong)-1L));
        WriteBytesField(model, 2, trainer.ToArray());

        // NormalizerSpec: name, add_dummy_prefix (3), remove_extra_whitespaces (4), escape_whitespaces (5).
        var normalizer = new MemoryStream();
        WriteBytesField(normalizer, 1, Encoding.UTF8.GetBytes("identity"));
        WriteVarintField(normalizer, 3, 1);
        WriteVarintField(normalizer, 4, 0);
        WriteVarintField(normalizer, 5, 1);
        WriteBytesField(model, 3, normalizer.ToArray());

        model.Position = 0;
        return model;
    }

    private static void WritePiece(MemoryStream model, string piece, float score, int type)
    {
        var message = new MemoryStream();
        WriteBytesField(message, 1, Encoding.UTF8.GetBytes(piece));
        WriteTag(message, 2, wireType: 5);
        message.Write(BitConverter.GetBytes(score));
        WriteVarintField(message, 3, (ulong)type);
        WriteBytesField(model, 1, message.ToArray());
    }

    private static void WriteVarintField(MemoryStream stream, int field, ulong value)
    {
        WriteTag(stream, field, wireType: 0);
        WriteVarint(stream, value);
    }

    private static void WriteBytesField(MemoryStream stream, int field, byte[] value)
    {
        WriteTag(stream, field, wireType: 2);
        WriteVarint(stream, (ulong)value.Length);
        stream.Write(value);
    }

    private static void WriteTag(MemoryStream stream, int field, int wireType) => WriteVarint(stream, (ulong)((field << 3) | wireType));

    private static void WriteVarint(MemoryStream stream, ulong value)
    {
        while (value >= 0x80)
        {
            stream.WriteByte((byte)(value | 0x80));
            value >>= 7;
        }

        stream.WriteByte((byte)value);
    }
}
