namespace Thaw.Inference.Onnx.Tests.Generation;

internal static class LogitAssert
{
    public static void Close(double[] expected, ReadOnlySpan<float> actual, double tolerance)
    {
        Assert.Equal(expected.Length, actual.Length);
        double worst = 0;
        int at = 0;
        for (int i = 0; i < expected.Length; i++)
        {
            double difference = Math.Abs(expected[i] - actual[i]);
            if (difference > worst || double.IsNaN(difference))
            {
                (worst, at) = (difference, i);
            }
        }

        Assert.True(worst <= tolerance, $"Logit {at}: expected {expected[at]}, got {actual[at]} (difference {worst}, tolerance {tolerance}).");
    }
}
