using Thaw.Inference.Generation.Decoding;

namespace Thaw.Inference.Onnx.Tests.Generation;

/// <summary>
/// A minimal scheduler for tests: each step, requests whose slot is free and whose arrival has come start, prompts
/// prefill in chunks, every decoding row steps once, tokens are chosen by argmax, and a request that has its
/// tokens is reset at once, freeing its slot for the next request scripted on it.
/// </summary>
internal static class ScriptedDecoding
{
    /// <summary>Per request: the generated tokens and the logits each was chosen from.</summary>
    public static (int[] Tokens, float[][] Logits)[] Run(IDecoderSession session, IReadOnlyList<ScriptedRequest> requests, int prefillChunk)
    {
        int vocab = session.VocabSize;
        var tokens = requests.Select(_ => new List<int>()).ToArray();
        var logits = requests.Select(_ => new List<float[]>()).ToArray();
        var prefilled = new int[requests.Count];
        var started = new bool[requests.Count];
        var done = new bool[requests.Count];
        var owner = Enumerable.Repeat(-1, session.Slots).ToArray();
        for (int step = 0; done.Contains(false); step++)
        {
            Assert.True(step < 1000, "The script does not finish: a bug in the test.");
            for (int r = 0; r < requests.Count; r++)
            {
                if (!started[r] && requests[r].Arrival <= step && owner[requests[r].Slot] < 0)
                {
                    (started[r], owner[requests[r].Slot]) = (true, r);
                    Assert.Equal(0, session.LengthOf(requests[r].Slot));
                }
            }

            var inputs = new List<DecoderInput>();
            var rows = new List<int>();
            for (int r = 0; r < requests.Count; r++)
            {
                if (!started[r] || done[r])
                {
                    continue;
                }

                ScriptedRequest request = requests[r];
                int[] next;
                if (prefilled[r] < request.Prompt.Length)
                {
                    int count = Math.Min(prefillChunk, request.Prompt.Length - prefilled[r]);
                    next = request.Prompt[prefilled[r]..(prefilled[r] + count)];
                    prefilled[r] += count;
                }
                else if (request.SitOut?.Contains(step) == true)
                {
                    continue;
                }
                else
                {
                    next = [tokens[r][^1]];
                }

                inputs.Add(new DecoderInput(request.Slot, next));
                rows.Add(r);
            }

            if (inputs.Count == 0)
            {
                continue;
            }

            var output = new float[inputs.Count * vocab];
            session.Run(inputs, output);
            for (int i = 0; i < rows.Count; i++)
            {
                int r = rows[i];
                if (prefilled[r] < requests[r].Prompt.Length)
                {
                    continue;
                }

                float[] row = output.AsSpan(i * vocab, vocab).ToArray();
                tokens[r].Add(Array.IndexOf(row, row.Max()));
                logits[r].Add(row);
                Assert.Equal(requests[r].Prompt.Length + tokens[r].Count - 1, session.LengthOf(requests[r].Slot));
                if (tokens[r].Count == requests[r].MaxTokens)
                {
                    done[r] = true;
                    session.Reset(requests[r].Slot);
                    owner[requests[r].Slot] = -1;
                }
            }
        }

        return [.. tokens.Select((t, r) => (t.ToArray(), logits[r].ToArray()))];
    }
}
