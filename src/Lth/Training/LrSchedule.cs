using System.Globalization;

namespace Lth.Training;

/// <summary>
/// A point in a level for a learning-rate schedule: a <see cref="Training.Step"/> (<c>500it</c>, <c>5ep</c>)
/// or a share of the level's training length (<c>50%</c>, rounded down to a whole iteration).
/// </summary>
public readonly record struct SchedulePoint(Step Step, decimal? Percent)
{
    public static SchedulePoint Parse(string text, string what)
    {
        var s = text.Trim();
        var bad = new FormatException($"{what}: '{text.Trim()}' is not a step; write e.g. 500it, 5ep or 50%");
        if (!s.EndsWith('%'))
        {
            try { return new SchedulePoint(Step.Parse(s, what), null); }
            catch (FormatException) { throw bad; }
        }
        if (!decimal.TryParse(s[..^1].Trim(), NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out var p)) throw bad;
        if (p > 100) throw new FormatException($"{what}: {Format(p)}% is past the end of training (100%)");
        return new SchedulePoint(default, p);
    }

    public bool IsZero => Percent is { } p ? p == 0 : Step.Count == 0;

    /// <summary>This point in iterations, given the iterations per epoch and the level's training length in iterations.</summary>
    public long ToIterations(long iterationsPerEpoch, long totalIterations) =>
        Percent is { } p ? (long)decimal.Floor(p * totalIterations / 100m) : Step.ToIterations(iterationsPerEpoch);

    /// <summary>
    /// This point counted in the unit of <paramref name="steps"/> (a percentage of it, or a step in the same unit),
    /// or null when that needs the iterations per epoch (epochs against iterations).
    /// </summary>
    public decimal? InUnitOf(Step steps) =>
        Percent is { } p ? p * steps.Count / 100m : Step.InEpochs == steps.InEpochs ? Step.Count : null;

    public override string ToString() => Percent is { } p ? Format(p) + "%" : Step.ToString();

    private static string Format(decimal p) => p.ToString("0.############################", CultureInfo.InvariantCulture);
}

/// <summary>
/// The learning rate of every iteration of a level, exactly as open_lth's <c>get_lr_schedule</c> (a LambdaLR
/// stepped once per iteration and advanced to the level's start): the update made at iteration <c>it</c>
/// (0-based: the step that takes the weights from iteration <c>it</c> to <c>it + 1</c>) uses
/// <c>lr · γ^(number of milestones ≤ it) · min(1, it / W)</c>, with W the warmup in iterations (no factor when W = 0).
/// So with warmup the first update has learning rate 0 and the one at iteration W − 1 has lr·(W − 1)/W; a milestone
/// at iteration m first lowers the update made at m. The schedule is a function of the absolute iteration in the level:
/// a rewound level that starts at iteration k continues it from k (as open_lth steps its schedule k times).
/// </summary>
public sealed class LrSchedule
{
    private readonly long[] milestones;

    private LrSchedule(double lr, long warmup, long[] milestones, double gamma)
    {
        Lr = lr;
        Warmup = warmup;
        this.milestones = milestones;
        Gamma = gamma;
    }

    /// <summary>The base learning rate (<c>--lr</c>).</summary>
    public double Lr { get; }

    /// <summary>Warmup length in iterations (0: none).</summary>
    public long Warmup { get; }

    /// <summary>The iterations at which the learning rate is multiplied by <see cref="Gamma"/>, increasing.</summary>
    public IReadOnlyList<long> Milestones => milestones;

    public double Gamma { get; }

    /// <summary>No warmup and no drops: every iteration uses <see cref="Lr"/> itself.</summary>
    public bool IsConstant => Warmup == 0 && milestones.Length == 0;

    /// <summary>The multiplier of <see cref="Lr"/> for the update made at iteration <paramref name="iteration"/> (open_lth's lambda).</summary>
    public double Factor(long iteration)
    {
        int passed = 0;
        while (passed < milestones.Length && milestones[passed] <= iteration) passed++;
        double factor = 1.0;
        if (milestones.Length > 0) factor *= Math.Pow(Gamma, passed);
        if (Warmup > 0) factor *= Math.Min(1.0, iteration / (double)Warmup);
        return factor;
    }

    /// <summary>The learning rate of the update made at iteration <paramref name="iteration"/>: exactly <see cref="Lr"/> without a schedule.</summary>
    public double At(long iteration) => IsConstant ? Lr : Lr * Factor(iteration);

    /// <summary>
    /// The schedule of <paramref name="hp"/> for a level of <paramref name="totalIterations"/> iterations. Throws
    /// <see cref="HparamsException"/> naming the flag when a milestone or the warmup falls outside the level, or
    /// milestones do not strictly increase once in iterations.
    /// </summary>
    public static LrSchedule Create(TrainingHparams hp, long iterationsPerEpoch, long totalIterations)
    {
        var level = $"the level ({hp.Steps} = {totalIterations} iterations)";
        var w = ParseWarmup(hp.Warmup);
        long warmup = w.ToIterations(iterationsPerEpoch, totalIterations);
        if (warmup > totalIterations)
            throw new HparamsException($"--warmup: {w} ({warmup} iterations) is longer than {level}");
        var points = ParseDrops(hp.LrDrops);
        var at = points.Select(p => p.ToIterations(iterationsPerEpoch, totalIterations)).ToArray();
        for (int i = 0; i < at.Length; i++)
        {
            if (at[i] <= 0)
                throw new HparamsException($"--lr-drops: {points[i]} is iteration 0 of {level}; a drop must come after the first iteration");
            if (at[i] > totalIterations)
                throw new HparamsException($"--lr-drops: {points[i]} ({at[i]} iterations) is past the end of {level}; give milestones within it (or as % of --steps)");
            if (i > 0 && at[i] <= at[i - 1])
                throw new HparamsException($"--lr-drops: milestones must strictly increase, but {points[i - 1]} ({at[i - 1]} iterations) is not before {points[i]} ({at[i]} iterations)");
        }
        return new LrSchedule(hp.Lr, warmup, at, hp.LrGamma);
    }

    /// <summary>The canonical text of <c>--warmup</c>: none, empty and any zero length are <c>0it</c>.</summary>
    public static string CanonicalWarmup(string text) => ParseWarmup(text).ToString();

    /// <summary>The canonical text of <c>--lr-drops</c>: the milestones, each canonical, joined by ','; none or empty is empty.</summary>
    public static string CanonicalDrops(string text) => string.Join(",", ParseDrops(text));

    private static SchedulePoint ParseWarmup(string text)
    {
        var t = text.Trim();
        if (t.Length == 0 || t.Equals("none", StringComparison.OrdinalIgnoreCase)) return new SchedulePoint(new Step(0, false), null);
        var p = SchedulePoint.Parse(t, "warmup");
        return p.IsZero ? new SchedulePoint(new Step(0, false), null) : p;
    }

    private static List<SchedulePoint> ParseDrops(string text)
    {
        var t = text.Trim();
        if (t.Length == 0 || t.Equals("none", StringComparison.OrdinalIgnoreCase)) return [];
        var points = new List<SchedulePoint>();
        foreach (var piece in t.Split(',', StringSplitOptions.TrimEntries))
        {
            var p = SchedulePoint.Parse(piece, "lr-drops");
            if (p.IsZero) throw new FormatException($"lr-drops: {p} is not after the start of training; a milestone must be > 0");
            points.Add(p);
        }
        return points;
    }

    /// <summary>
    /// The checks <see cref="Hparams.Validate"/> can make without the dataset (which fixes the iterations per
    /// epoch): milestones in one unit with <c>--steps</c> (or in %) within it and strictly increasing. The trainer
    /// checks the rest in iterations (<see cref="Create"/>).
    /// </summary>
    public static void CheckDrops(LotteryHparams lottery)
    {
        var hp = lottery.Training;
        var steps = Step.Parse(hp.Steps, "steps");
        var points = ParseDrops(hp.LrDrops);
        var units = points.Select(p => p.InUnitOf(steps)).ToList();
        for (int i = 0; i < points.Count; i++)
        {
            if (points[i].Percent is null && units[i] > steps.Count)
                throw new HparamsException($"--lr-drops: {points[i]} is past the end of training (--steps {steps}); give milestones within it (or as % of --steps)");
            for (int j = 0; j < i; j++)
                if (units[j] is { } a && units[i] is { } b && a >= b)
                    throw new HparamsException($"--lr-drops: milestones must strictly increase, but {points[j]} is not before {points[i]} (--steps {steps})");
        }
    }

    /// <summary>The warmup's check that needs no dataset: in one unit with <c>--steps</c>, it is not longer.</summary>
    public static void CheckWarmup(LotteryHparams lottery)
    {
        var hp = lottery.Training;
        var steps = Step.Parse(hp.Steps, "steps");
        var w = ParseWarmup(hp.Warmup);
        if (w.Percent is null && w.InUnitOf(steps) > steps.Count)
            throw new HparamsException($"--warmup: {w} is longer than the level (--steps {steps})");
    }
}
