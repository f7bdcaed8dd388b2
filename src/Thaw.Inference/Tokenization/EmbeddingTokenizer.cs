using System.Text.RegularExpressions;
using Microsoft.ML.Tokenizers;
using Thaw.Inference.Catalog;

namespace Thaw.Inference.Tokenization;

/// <summary>
/// BERT WordPiece tokenization that reproduces Hugging Face's fast BertTokenizer: Microsoft.ML.Tokenizers'
/// WordPiece model with an HF-compatible normalizer and pre-tokenizer.
/// </summary>
public sealed partial class EmbeddingTokenizer
{
    private readonly BertTokenizer _tokenizer;

    private EmbeddingTokenizer(BertTokenizer tokenizer) => _tokenizer = tokenizer;

    public int ClassificationTokenId => _tokenizer.ClassificationTokenId;

    public int SeparatorTokenId => _tokenizer.SeparatorTokenId;

    public int PaddingTokenId => _tokenizer.PaddingTokenId;

    /// <summary>Creates a tokenizer from a <c>vocab.txt</c> (one token a line, id = line number).</summary>
    public static EmbeddingTokenizer Create(string vocabPath, TokenizerSpec spec)
    {
        var options = new BertOptions
        {
            // Our normalizer and pre-tokenizer replace the library's "basic tokenization", which differs from
            // Hugging Face's: it drops symbols such as '$' and '€' (dotnet/machinelearning#7725).
            ApplyBasicTokenization = false,
            LowerCaseBeforeTokenization = false,
            SplitOnSpecialTokens = false,
            Normalizer = new BertTextNormalizer(spec.Lowercase, spec.StripAccents),
            PreTokenizer = new RegexPreTokenizer(WordOrPunctuation(), specialTokens: null),
        };
        return new EmbeddingTokenizer(BertTokenizer.Create(vocabPath, options));
    }

    /// <summary>Tokenizes <paramref name="text"/> and keeps at most <paramref name="maxTokens"/> ids, [CLS] and [SEP] included.</summary>
    public TokenizedInput Encode(string text, int maxTokens)
    {
        IReadOnlyList<int> body = _tokenizer.EncodeToIds(text, addSpecialTokens: false);
        int kept = Math.Min(body.Count, maxTokens - 2);
        int[] ids = new int[kept + 2];
        ids[0] = _tokenizer.ClassificationTokenId;
        for (int i = 0; i < kept; i++)
        {
            ids[i + 1] = body[i];
        }

        ids[^1] = _tokenizer.SeparatorTokenId;
        return new TokenizedInput(ids, body.Count > kept);
    }

    // Hugging Face's BertPreTokenizer: split on whitespace (dropped) and isolate each punctuation character,
    // where punctuation is any Unicode P* character or any ASCII non-alphanumeric symbol ($, +, <, =, >, ^, `, |, ~ too).
    [GeneratedRegex(@"[\p{P}!-/:-@\[-`{-~]|[^\s\p{P}!-/:-@\[-`{-~]+")]
    private static partial Regex WordOrPunctuation();
}
