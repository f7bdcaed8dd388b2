using System.Text;
using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Thaw.Inference.Generation.Tokenizers;

namespace Thaw.Inference.Tests.Generation.Tokenizers;

public sealed class ByteLevelBpeTokenizerTests
{
    private static readonly string Llama3PreTokenizer = $$"""
        {"type":"Sequence","pretokenizers":[
          {"type":"Split","pattern":{"Regex":{{System.Text.Json.JsonSerializer.Serialize(Gpt2Files.Llama3Pattern)}}},"behavior":"Isolated","invert":false},
          {"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":false}]}
        """;

    // Loading 50,257 tokens and 50,000 merges takes a while: one instance per configuration for the whole class.
    private static readonly Lazy<ByteLevelBpeTokenizer> Gpt2MergeArrays = new(() =>
        ByteLevelBpeTokenizer.FromTokenizerJson(Gpt2Files.TokenizerJson(mergesAsArrays: true)));
    private static readonly Lazy<ByteLevelBpeTokenizer> Llama3Style = new(() =>
        ByteLevelBpeTokenizer.FromTokenizerJson(Gpt2Files.TokenizerJson(preTokenizerJson: Llama3PreTokenizer, ignoreMerges: true)));
    private static readonly Lazy<TiktokenTokenizer> Llama3Reference = new(() => TiktokenTokenizer.Create(
        Gpt2Files.TiktokenRanks(),
        new RegexPreTokenizer(new Regex(Gpt2Files.Llama3Pattern), Gpt2Files.SpecialTokens),
        normalizer: null,
        Gpt2Files.SpecialTokens));
    private static readonly Lazy<TiktokenTokenizer> Reference = new(Gpt2Files.Tiktoken);

    internal static readonly string[] Texts =
    [
        "Hello world",
        "Hello, world! How's it going? I'm fine; they'll see, we've done it, you'd agree, it's OK.",
        "naïve café résumé Ünïcödé Ångström",
        "Привет, мир! Ελληνικά",
        "日本語のテキスト、中文测试。한국어 텍스트",
        "emoji 😀👍🏽 family 👨‍👩‍👧‍👦 flag 🇫🇷 and 🤖🤖🤖",
        "   leading spaces and trailing   ",
        "tabs\tand\t\tdouble\t tab",
        "lines\nand\r\nwindows\n\n\nthree blank",
        "digits 1234567890 3.14159 1e-5 2024-12-02 $1,000.00",
        "<|endoftext|>start and end<|endoftext|>",
        "mixed<|endoftext|>  <|endoftext|>\n<|endoftext|>",
        "not special: <|endoftext| and <|endoftext",
        "def f(x):\n    return x ** 2  # square\n\n\tpass\n",
        "\u00a0non-breaking\u2003em space\u3000ideographic",
        " ",
        "\n",
        "",
        new string('a', 300) + " " + new string('!', 40),
    ];

    public static TheoryData<string> Corpus => [.. Texts];

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Encode_Gpt2TokenizerJson_EqualsTiktokenGpt2(string text)
    {
        Assert.Equal(Reference.Value.EncodeToIds(text), Gpt2Files.Tokenizer.Encode(text, addSpecialTokens: true));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Encode_MergesAsArrays_EqualsTiktokenGpt2(string text)
    {
        Assert.Equal(Reference.Value.EncodeToIds(text), Gpt2MergeArrays.Value.Encode(text, addSpecialTokens: false));
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Encode_Llama3SplitRegexAndIgnoreMerges_EqualsTiktokenWithTheSameRegex(string text)
    {
        Assert.Equal(Llama3Reference.Value.EncodeToIds(text), Llama3Style.Value.Encode(text, addSpecialTokens: false));
    }

    [Theory]
    [InlineData(true, new[] { 3 })]
    [InlineData(false, new[] { 4, 2 })]
    public void Encode_IgnoreMerges_TakesAWholeVocabularyEntryTheMergesCannotReach(bool ignoreMerges, int[] expected)
    {
        string json = $$$"""
            {"model":{"type":"BPE","ignore_merges":{{{(ignoreMerges ? "true" : "false")}}},"vocab":{"a":0,"b":1,"c":2,"abc":3,"ab":4},"merges":["a b"]},
             "pre_tokenizer":{"type":"ByteLevel","add_prefix_space":false,"use_regex":true}}
            """;
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        Assert.Equal(expected, ByteLevelBpeTokenizer.FromTokenizerJson(stream).Encode("abc", addSpecialTokens: false));
    }

    [Fact]
    public void Encode_SmolLmIndividualDigits_SplitsEveryDigitBeforeTheByteLevelRegex()
    {
        const string Preset = """{"type":"Sequence","pretokenizers":[{"type":"Digits","individual_digits":true},{"type":"ByteLevel","add_prefix_space":false,"trim_offsets":true,"use_regex":true}]}""";
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.FromTokenizerJson(Gpt2Files.TokenizerJson(preTokenizerJson: Preset));
        TiktokenTokenizer reference = Gpt2Files.Tiktoken();
        string[] pieces = ["in ", "2", "0", "2", "4", ",  ", "7", " cats"];

        var expected = pieces.SelectMany(piece => reference.EncodeToIds(piece)).ToList();

        Assert.Equal(expected, tokenizer.Encode(string.Concat(pieces), addSpecialTokens: false));
    }

    [Fact]
    public void Encode_NfcNormalizer_EncodesTheComposedForm()
    {
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.FromTokenizerJson(
            Gpt2Files.TokenizerJson(normalizerJson: """{"type":"NFC"}"""));

        Assert.Equal(Gpt2Files.Tiktoken().EncodeToIds("caf\u00e9"), tokenizer.Encode("cafe\u0301", addSpecialTokens: false));
    }

    [Fact]
    public void Encode_TemplateProcessingWithBos_AddsItOnlyWithSpecialTokens()
    {
        const string PostProcessor = """
            {"type":"TemplateProcessing","single":[{"SpecialToken":{"id":"<|endoftext|>","type_id":0}},{"Sequence":{"id":"A","type_id":0}}],
             "pair":[],"special_tokens":{"<|endoftext|>":{"id":"<|endoftext|>","ids":[50256],"tokens":["<|endoftext|>"]}}}
            """;
        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.FromTokenizerJson(Gpt2Files.TokenizerJson(postProcessorJson: PostProcessor));

        Assert.Equal(Gpt2Files.EndOfText, tokenizer.BeginningOfSequenceId);
        Assert.Equal([Gpt2Files.EndOfText, 15496], tokenizer.Encode("Hello", addSpecialTokens: true));
        Assert.Equal([15496], tokenizer.Encode("Hello", addSpecialTokens: false));
    }

    [Fact]
    public void FromTokenizerJson_TokenizerConfig_ReadsBosAndEosInBothForms()
    {
        using var config = new MemoryStream(Encoding.UTF8.GetBytes(
            """{"bos_token":"<|endoftext|>","eos_token":{"content":"<|endoftext|>","lstrip":false}}"""));

        ByteLevelBpeTokenizer tokenizer = ByteLevelBpeTokenizer.FromTokenizerJson(Gpt2Files.TokenizerJson(), config);

        Assert.Equal(Gpt2Files.EndOfText, tokenizer.BeginningOfSequenceId);
        Assert.Equal(Gpt2Files.EndOfText, tokenizer.EndOfSequenceId);
    }

    [Theory]
    [MemberData(nameof(Corpus))]
    public void Decode_EncodedText_RoundTrips(string text)
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;

        int[] ids = [.. tokenizer.Encode(text, addSpecialTokens: false)];

        Assert.Equal(text, tokenizer.Decode(ids, skipSpecialTokens: false));
        Assert.Equal(text.Replace(Gpt2Files.EndOfTextToken, "", StringComparison.Ordinal), tokenizer.Decode(ids, skipSpecialTokens: true));
    }

    [Fact]
    public void SpecialTokens_Gpt2_LookedUpByText()
    {
        ByteLevelBpeTokenizer tokenizer = Gpt2Files.Tokenizer;

        Assert.True(tokenizer.TryGetSpecialTokenId(Gpt2Files.EndOfTextToken, out int id));
        Assert.Equal(Gpt2Files.EndOfText, id);
        Assert.True(tokenizer.IsSpecial(id));
        Assert.False(tokenizer.IsSpecial(15496));
        Assert.False(tokenizer.TryGetSpecialTokenId("Hello", out _));
        Assert.Equal(50257, tokenizer.VocabSize);
        Assert.Equal(Gpt2Files.Tiktoken().CountTokens("Hello, world!"), tokenizer.CountTokens("Hello, world!", addSpecialTokens: true));
    }

    [Theory]
    [InlineData("""{"model":{"type":"Unigram","vocab":[]}}""", "model.type 'Unigram'")]
    [InlineData("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"Metaspace"}}""", "pre_tokenizer type 'Metaspace'")]
    [InlineData("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":null}""", "no ByteLevel step")]
    [InlineData("""{"model":{"type":"BPE","vocab":{"a":0},"merges":["ab"]},"pre_tokenizer":{"type":"ByteLevel"}}""", "model.merges entry 0")]
    [InlineData("""{"model":{"type":"BPE","vocab":{"a":0},"merges":[]},"pre_tokenizer":{"type":"ByteLevel"},"normalizer":{"type":"Prepend","prepend":"_"}}""", "normalizer type 'Prepend'")]
    [InlineData("""{"model":""", "not valid JSON")]
    public void FromTokenizerJson_Unsupported_ThrowsNamingTheField(string json, string expected)
    {
        using var stream = new MemoryStream(Encoding.UTF8.GetBytes(json));

        InvalidDataException error = Assert.Throws<InvalidDataException>(() => ByteLevelBpeTokenizer.FromTokenizerJson(stream));

        Assert.Contains(expected, error.Message, StringComparison.Ordinal);
    }
}
