using System.Buffers;
using System.Text;

namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// Turns generated tokens into text as they come. Byte-level tokens can end inside a UTF-8 character (an emoji is
/// often two or three tokens): those bytes are held until the character completes, so no piece of text ever holds
/// half a character. One instance per sequence; not thread-safe.
/// </summary>
public sealed class StreamingDetokenizer
{
    private readonly ITextTokenizer _tokenizer;
    private readonly bool _skipSpecialTokens;
    private byte[] _pending = new byte[16];
    private int _pendingLength;

    public StreamingDetokenizer(ITextTokenizer tokenizer, bool skipSpecialTokens = true)
    {
        ArgumentNullException.ThrowIfNull(tokenizer);
        _tokenizer = tokenizer;
        _skipSpecialTokens = skipSpecialTokens;
    }

    /// <summary>Adds a token; returns the text it completes (empty while a character is still incomplete).</summary>
    public string Push(int id)
    {
        if (_skipSpecialTokens && _tokenizer.IsSpecial(id))
        {
            return string.Empty;
        }

        ReadOnlySpan<byte> bytes = _tokenizer.GetTokenBytes(id);
        if (_pendingLength + bytes.Length > _pending.Length)
        {
            Array.Resize(ref _pending, Math.Max(_pending.Length * 2, _pendingLength + bytes.Length));
        }

        bytes.CopyTo(_pending.AsSpan(_pendingLength));
        _pendingLength += bytes.Length;

        int complete = CompleteLength(_pending.AsSpan(0, _pendingLength));
        if (complete == 0)
        {
            return string.Empty;
        }

        string text = Encoding.UTF8.GetString(_pending, 0, complete);
        _pending.AsSpan(complete, _pendingLength - complete).CopyTo(_pending);
        _pendingLength -= complete;
        return text;
    }

    /// <summary>The held bytes at the end of the sequence; an incomplete character becomes U+FFFD.</summary>
    public string Flush()
    {
        string text = Encoding.UTF8.GetString(_pending, 0, _pendingLength);
        _pendingLength = 0;
        return text;
    }

    // Everything up to an incomplete character at the very end. Invalid bytes count as complete (they decode to
    // U+FFFD now, as a full decode would), so only a prefix that more bytes could finish is held.
    private static int CompleteLength(ReadOnlySpan<byte> bytes)
    {
        int position = 0;
        while (position < bytes.Length)
        {
            OperationStatus status = System.Text.Rune.DecodeFromUtf8(bytes[position..], out _, out int consumed);
            if (status == OperationStatus.NeedMoreData)
            {
                break;
            }

            position += consumed;
        }

        return position;
    }
}
