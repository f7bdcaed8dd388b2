namespace Thaw.Cli.Commands;

internal static class BenchSentences
{
    // 32 everyday sentences of 6 to 20 tokens: the short-text regime of search queries and chat messages.
    public static readonly string[] All =
    [
        "How do I reset my password?", "The weather in Paris is mild in spring.", "Serverless GPUs scale to zero when idle.",
        "Add two cups of flour and stir gently.", "The meeting moved to Thursday afternoon.", "What is the capital of Australia?",
        "Our quarterly revenue grew by twelve percent.", "Please send the invoice by Friday.", "The cat slept on the warm windowsill.",
        "Transformers turn text into vectors.", "Where can I find the nearest pharmacy?", "The train to Berlin leaves at nine.",
        "She plays the violin in an orchestra.", "Batching makes inference cheaper per request.", "My order arrived damaged; what now?",
        "The museum is closed on Mondays.", "Photosynthesis converts light into chemical energy.", "Can I change my seat on this flight?",
        "The library extended its opening hours.", "A quick brown fox jumps over the lazy dog.", "Cold starts dominate the latency of rare requests.",
        "The recipe needs fresh basil and garlic.", "How long does shipping to Canada take?", "He fixed the bug before the release.",
        "The river flooded after three days of rain.", "Which plan includes priority support?", "Vaccines train the immune system.",
        "The concert was sold out within minutes.", "Our team ships small, honest commits.", "Is breakfast included with the room?",
        "The satellite reached orbit this morning.", "Embeddings make semantic search possible.",
    ];
}
