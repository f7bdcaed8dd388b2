namespace Thaw.Inference.Generation.Tokenizers;

/// <summary>
/// GPT-2's reversible map between bytes and printable characters (<c>bytes_to_unicode</c>): byte-level BPE vocabularies
/// spell every token with these characters, a space as <c>Ġ</c>, a newline as <c>Ċ</c>.
/// </summary>
internal static class ByteLevelAlphabet
{
    private static readonly char[] ByteToChar = BuildByteToChar();
    private static readonly int[] CharToByte = BuildCharToByte(ByteToChar);

    public static char CharOf(byte value) => ByteToChar[value];

    /// <summary>Maps a vocabulary spelling back to its bytes; false when a character is outside the alphabet.</summary>
    public static bool TryGetBytes(string spelling, out byte[] bytes)
    {
        bytes = new byte[spelling.Length];
        for (int i = 0; i < spelling.Length; i++)
        {
            char c = spelling[i];
            if (c >= CharToByte.Length || CharToByte[c] < 0)
            {
                return false;
            }

            bytes[i] = (byte)CharToByte[c];
        }

        return true;
    }

    private static char[] BuildByteToChar()
    {
        var map = new char[256];
        int next = 256;
        for (int b = 0; b < 256; b++)
        {
            bool printable = b is >= '!' and <= '~' or >= 0xA1 and <= 0xAC or >= 0xAE and <= 0xFF;
            map[b] = printable ? (char)b : (char)next++;
        }

        return map;
    }

    private static int[] BuildCharToByte(char[] byteToChar)
    {
        var map = new int[512];
        Array.Fill(map, -1);
        for (int b = 0; b < 256; b++)
        {
            map[byteToChar[b]] = b;
        }

        return map;
    }
}
