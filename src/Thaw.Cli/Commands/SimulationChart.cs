using System.Globalization;
using System.Net;
using System.Text;
using Thaw.Cli.Simulation;

namespace Thaw.Cli.Commands;

/// <summary>
/// The trade as a picture, one panel per trace: cold starts (y) against idle instance-hours (x; times the GPU price,
/// the idle cost). Fixed windows are joined by a line in window order; each histogram setting is a labelled diamond.
/// Hand-written SVG: a few dozen elements do not justify a plotting dependency (and its native renderer).
/// </summary>
internal static class SimulationChart
{
    private const double PanelWidth = 460, PanelHeight = 320, Left = 64, Right = 16, Top = 36, Bottom = 52;

    public static string Render(IReadOnlyList<IReadOnlyList<(SimulatedPolicy Policy, SimulationResult Result)>> traces, double gpuPricePerHour)
    {
        int columns = Math.Min(2, traces.Count), rows = (traces.Count + columns - 1) / columns;
        double width = columns * PanelWidth, height = (rows * PanelHeight) + 40;
        var svg = new StringBuilder();
        svg.Append(Invariant($"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width}\" height=\"{height}\" viewBox=\"0 0 {width} {height}\" "))
            .AppendLine("font-family=\"sans-serif\" font-size=\"11\">")
            .AppendLine(Invariant($"<rect width=\"{width}\" height=\"{height}\" fill=\"white\"/>"));
        for (int i = 0; i < traces.Count; i++)
        {
            Panel(svg, traces[i], (i % columns) * PanelWidth, (i / columns) * PanelHeight, gpuPricePerHour);
        }

        double legendY = (rows * PanelHeight) + 20;
        svg.AppendLine(Invariant($"<polyline points=\"20,{legendY} 44,{legendY}\" stroke=\"#1f77b4\" stroke-width=\"2\" fill=\"none\"/>"))
            .AppendLine(Invariant($"<circle cx=\"32\" cy=\"{legendY}\" r=\"3.5\" fill=\"#1f77b4\"/>"))
            .AppendLine(Text(50, legendY + 4, "fixed keep-alive window (labelled), in window order", "start"))
            .AppendLine(Diamond(400, legendY, "#d62728"))
            .AppendLine(Text(410, legendY + 4, "histogram policy (pre-warm and keep-alive percentiles)", "start"))
            .AppendLine("</svg>");
        return svg.ToString();
    }

    private static void Panel(StringBuilder svg, IReadOnlyList<(SimulatedPolicy Policy, SimulationResult Result)> points, double x0, double y0, double price)
    {
        double plotWidth = PanelWidth - Left - Right, plotHeight = PanelHeight - Top - Bottom;
        double maxX = NiceCeiling(points.Max(p => p.Result.IdleInstanceSeconds / 3600)), maxY = NiceCeiling(points.Max(p => p.Result.ColdStarts));
        double X(SimulationResult r) => x0 + Left + (r.IdleInstanceSeconds / 3600 / maxX * plotWidth);
        double Y(SimulationResult r) => y0 + Top + plotHeight - (r.ColdStarts / maxY * plotHeight);
        SimulationResult first = points[0].Result;

        svg.AppendLine(Text(x0 + (PanelWidth / 2), y0 + 20, $"{first.Trace}: {first.Requests} requests", "middle", bold: true));
        for (int tick = 0; tick <= 4; tick++)
        {
            double tx = x0 + Left + (tick * plotWidth / 4), ty = y0 + Top + plotHeight - (tick * plotHeight / 4);
            svg.AppendLine(Invariant($"<line x1=\"{x0 + Left}\" y1=\"{ty}\" x2=\"{x0 + Left + plotWidth}\" y2=\"{ty}\" stroke=\"#eee\"/>"))
                .AppendLine(Text(tx, y0 + Top + plotHeight + 14, Number(maxX * tick / 4), "middle"))
                .AppendLine(Text(x0 + Left - 6, ty + 4, Number(maxY * tick / 4), "end"));
        }

        svg.AppendLine(Invariant($"<rect x=\"{x0 + Left}\" y=\"{y0 + Top}\" width=\"{plotWidth}\" height=\"{plotHeight}\" fill=\"none\" stroke=\"#888\"/>"))
            .AppendLine(Text(x0 + Left + (plotWidth / 2), y0 + PanelHeight - 18, Invariant($"idle instance-hours (x ${price:0.00}/h = idle cost)"), "middle"))
            .AppendLine(Invariant($"<text x=\"{x0 + 16}\" y=\"{y0 + Top + (plotHeight / 2)}\" text-anchor=\"middle\" transform=\"rotate(-90 {x0 + 16} {y0 + Top + (plotHeight / 2)})\">cold starts</text>"));

        var fixedPoints = points.Where(p => p.Policy.IsFixed).OrderBy(p => p.Result.IdleInstanceSeconds).ToList();
        if (fixedPoints.Count > 1)
        {
            svg.AppendLine(Invariant($"<polyline points=\"{string.Join(' ', fixedPoints.Select(p => Invariant($"{X(p.Result):0.#},{Y(p.Result):0.#}")))}\" stroke=\"#1f77b4\" stroke-width=\"2\" fill=\"none\"/>"));
        }

        // Settings that land on the same point share one marker and one label; fixed labels sit above, histogram ones below
        // unless that would cross the x axis.
        foreach (var same in points.GroupBy(p => (p.Policy.IsFixed, p.Result.ColdStarts, Math.Round(p.Result.IdleInstanceSeconds))))
        {
            SimulationResult result = same.First().Result;
            bool isFixed = same.Key.IsFixed;
            string label = string.Join(", ", same.Select(p => isFixed ? p.Policy.Label["fixed:".Length..] : p.Policy.Label));
            svg.AppendLine(isFixed
                    ? Invariant($"<circle cx=\"{X(result):0.#}\" cy=\"{Y(result):0.#}\" r=\"3.5\" fill=\"#1f77b4\"/>")
                    : Diamond(X(result), Y(result), "#d62728"))
                .AppendLine(Text(X(result) + 6, Y(result) + (isFixed || Y(result) > y0 + Top + (plotHeight / 2) ? -8 : 16), label, "start", color: isFixed ? "#1f77b4" : "#d62728"));
        }
    }

    private static string Diamond(double x, double y, string color) =>
        Invariant($"<polygon points=\"{x:0.#},{y - 6:0.#} {x + 6:0.#},{y:0.#} {x:0.#},{y + 6:0.#} {x - 6:0.#},{y:0.#}\" fill=\"{color}\"/>");

    private static string Text(double x, double y, string text, string anchor, bool bold = false, string color = "#222") =>
        Invariant($"<text x=\"{x:0.#}\" y=\"{y:0.#}\" text-anchor=\"{anchor}\" fill=\"{color}\"{(bold ? " font-weight=\"bold\"" : "")}>{WebUtility.HtmlEncode(text)}</text>");

    // The axis maximum: a round multiple of a power of ten (quarters of it make the ticks), at or above the largest value.
    private static double NiceCeiling(double value)
    {
        double magnitude = Math.Pow(10, Math.Floor(Math.Log10(Math.Max(value, 1e-9))));
        return new[] { 1, 1.2, 1.6, 2, 3, 4, 6, 8, 10 }.Select(m => m * magnitude).First(v => v >= value * 1.05);
    }

    private static string Number(double value) => value.ToString(value >= 100 || value == 0 ? "0" : "0.##", CultureInfo.InvariantCulture);

    private static string Invariant(FormattableString text) => text.ToString(CultureInfo.InvariantCulture);
}
