using System.Globalization;
using Lth.Data;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>A level's instability: the error barrier on the test set and the training subset (null when not finite), the second copy's final test accuracy, the iteration both copies started from, and whether the second copy diverged.</summary>
/// <param name="Test">The test-error barrier.</param>
/// <param name="Train">The training-subset error barrier.</param>
/// <param name="CopyTestAccuracy">The second copy's final test accuracy.</param>
/// <param name="Start">The iteration both copies trained from.</param>
/// <param name="CopyDiverged">Whether the second copy diverged.</param>
/// <param name="CsvDigest">The SHA-256 of the level's <c>instability.csv</c> as written (recorded in its summary).</param>
public sealed record InstabilityResult(double? Test, double? Train, double? CopyTestAccuracy, long Start, bool CopyDiverged, string CsvDigest);

/// <summary>
/// Linear mode connectivity (Frankle, Dziugaite, Roy &amp; Carbin 2020). At a level chosen by <c>--instability</c>, a
/// second copy of every member trains from the level's starting weights under the same mask with another data order
/// (data-order seed drawn from the run seed's <c>instability-copy</c> stream; the level's own run is the first copy).
/// At level 0 with <c>--rewind k</c> the copy starts from the stored weights at iteration k, so the dense network's
/// instability is measured from k as in the paper; at later levels it starts where the level does (the reset or
/// rewound weights). Then the error is evaluated at <c>--interp-points</c> evenly spaced α ∈ [0, 1] on the straight
/// line (1 − α)·w_A + α·w_B between the two final weight vectors, on the test set and on a fixed training subset (the
/// first <see cref="TrainSubset"/> examples of a permutation drawn from a fixed seed). Both copies have the same mask,
/// so the whole path stays in the level's sparse subspace. Batch-norm running statistics are interpolated along the
/// path like the weights (the copies' statistics at the ends).
/// <para>
/// Instability is the error barrier: the largest error on the path minus the mean of the two ends' errors (≥ 0,
/// 0 for two identical copies). The level's <c>instability.csv</c> holds every point, and its summary the barrier of
/// each split and the second copy's final test accuracy. The stage runs before the level's summary is written, so a
/// killed level is redone whole on resume.
/// </para>
/// </summary>
public static class Instability
{
    /// <summary>Examples in the fixed training subset the path is also evaluated on.</summary>
    public const int TrainSubset = 10_000;

    /// <summary>The file of a level's path points (<see cref="RunStore.InstabilityFile"/>).</summary>
    public const string CsvFile = RunStore.InstabilityFile;

    /// <summary>Writes a level's path points (<see cref="PathPoints.Write"/>).</summary>
    public static string WriteCsv(string path, IReadOnlyList<PathPoint> points) => PathPoints.Write(path, points);

    /// <summary>Reads a level's path points (<see cref="PathPoints.Read"/>).</summary>
    public static List<PathPoint> ReadCsv(string path) => PathPoints.Read(path);

    /// <summary>
    /// The canonical form of <c>--instability</c>: <c>none</c>, <c>all</c>, or the levels as a sorted list without
    /// repeats (<c>6, 0,3</c> → <c>0,3,6</c>).
    /// </summary>
    /// <exception cref="FormatException">Not one of those forms, or a negative level.</exception>
    public static string Canonical(string spec)
    {
        var s = spec.Trim().ToLowerInvariant();
        if (s is "" or "none" or "off") return "none";
        if (s == "all") return "all";
        var levels = new SortedSet<int>();
        foreach (var part in s.Split(',', StringSplitOptions.TrimEntries))
        {
            if (!int.TryParse(part, NumberStyles.None, CultureInfo.InvariantCulture, out int level))
                throw new FormatException($"'{spec}' is not none, all or a list of levels such as 0,3,6");
            levels.Add(level);
        }
        return string.Join(",", levels);
    }

    /// <summary>Whether the run measures instability at <paramref name="level"/>.</summary>
    public static bool At(LotteryHparams hp, int level) => Canonical(hp.Instability) switch
    {
        "none" => false,
        "all" => true,
        var list => list.Split(',').Any(x => int.Parse(x, CultureInfo.InvariantCulture) == level),
    };

    /// <summary>Flags that only mean something with <c>--instability</c>, and combinations it does not support.</summary>
    public static void Check(LotteryHparams hp)
    {
        bool on = Canonical(hp.Instability) != "none";
        if (hp.InterpPoints < 3)
            throw new HparamsException($"--interp-points: {hp.InterpPoints} must be >= 3 (both ends and at least one point between them)");
        if (!on && hp.InterpPoints != new LotteryHparams().InterpPoints)
            throw new HparamsException("--interp-points: only used with --instability; set --instability all (or a list of levels), or leave it out");
        if (on && hp.OptimizerState == OptimizerState.Carry)
            throw new HparamsException("--instability: the two copies of a level start with a fresh optimizer; it does not compose with --optimizer-state carry");
    }

    /// <summary>The data-order seed of the second copy of a run with seed <paramref name="seed"/> (non-negative).</summary>
    public static long CopySeed(long seed) => (long)(Seeds.For(seed, "instability-copy") >> 1);

    /// <summary>The barrier of one split: the maximum error on the path minus the mean of its two ends' errors.</summary>
    public static double Barrier(IReadOnlyList<PathPoint> points, string split)
    {
        var path = points.Where(p => p.Split == split).OrderBy(p => p.Alpha).ToList();
        if (path.Count < 2) throw new ArgumentException($"the path has fewer than two points on {split}", nameof(points));
        return path.Max(p => p.Error) - (path[0].Error + path[^1].Error) / 2;
    }

    /// <summary>The α grid: <paramref name="points"/> evenly spaced values from 0 to 1, both ends exact.</summary>
    public static double[] Alphas(int points) =>
        Enumerable.Range(0, points).Select(i => i == points - 1 ? 1.0 : i / (double)(points - 1)).ToArray();

    /// <summary>The fixed training subset: the first min(<see cref="TrainSubset"/>, n) examples of a permutation drawn from a fixed seed.</summary>
    public static Dataset FixedTrainSubset(Dataset train)
    {
        using var g = new Generator(Seeds.For(0, "instability-train-subset"));
        using var perm = randperm(train.Count, generator: g).narrow(0, 0, Math.Min(TrainSubset, train.Count)).to(train.Images.device);
        return new Dataset(train.Images.index_select(0, perm), train.Labels.index_select(0, perm), train.NumClasses);
    }

    /// <summary>
    /// Evaluates every member of <paramref name="model"/> along the line between the flat weights (and batch-norm
    /// buffers) <paramref name="a"/> and <paramref name="b"/>; leaves the model holding <paramref name="a"/>.
    /// </summary>
    /// <returns>Per member, the path points (test first, then train, α ascending within each).</returns>
    public static List<PathPoint>[] Path(IModel model, (Tensor Flat, Tensor[] Buffers) a, (Tensor Flat, Tensor[] Buffers) b,
                                         int points, Dataset test, Dataset trainSubset)
    {
        int k = model.Layout.Members;
        var result = Enumerable.Range(0, k).Select(_ => new List<PathPoint>()).ToArray();
        var buffers = model.Buffers.Select(x => model.Buffer(x.Name)).ToList();
        try
        {
            foreach (var (split, set) in new[] { ("test", test), ("train", trainSubset) })
                foreach (double alpha in Alphas(points))
                {
                    Set(model.Flat, a.Flat, b.Flat, alpha);
                    for (int i = 0; i < buffers.Count; i++) Set(buffers[i], a.Buffers[i], b.Buffers[i], alpha);
                    var (loss, acc) = Evaluation.Run(model, set);
                    for (int j = 0; j < k; j++) result[j].Add(new PathPoint(alpha, split, loss[j], 1 - acc[j]));
                }
        }
        finally
        {
            Set(model.Flat, a.Flat, b.Flat, 0);
            for (int i = 0; i < buffers.Count; i++) Set(buffers[i], a.Buffers[i], b.Buffers[i], 0);
        }
        return result;
    }

    /// <summary>The weights and batch-norm buffers of every member, copied.</summary>
    public static (Tensor Flat, Tensor[] Buffers) Snapshot(IModel model)
    {
        using var _ = no_grad();
        return (model.Flat.clone(), model.Buffers.Select(x => model.Buffer(x.Name).clone()).ToArray());
    }

    /// <summary>target = a at α = 0, b at α = 1 (exactly), (1 − α)·a + α·b between; integer buffers (batch counts) take the nearer end.</summary>
    private static void Set(Tensor target, Tensor a, Tensor b, double alpha)
    {
        using var _ = no_grad();
        if (alpha == 0) { target.copy_(a); return; }
        if (alpha == 1) { target.copy_(b); return; }
        if (!target.is_floating_point()) { target.copy_(alpha < 0.5 ? a : b); return; }
        using var mixed = a.mul(1 - alpha).add_(b, alpha);
        target.copy_(mixed);
    }
}
