
namespace Lth.Experiments;

/// <summary>
/// Which runs can train together as one cohort (K members in lockstep, one batched model): runs of
/// one seed (so they share the data order — a paired design) whose hparams differ only in the weight
/// and bias initialization, with no control, no transfer and a fresh optimizer per level. Each member
/// is stored exactly as its solo run would be (same hash, same files, same bits).
/// </summary>
public static class Cohorts
{
    /// <summary>The hparams with the initialization blanked: runs with equal keys (and seeds) can share a cohort.</summary>
    public static string Key(LotteryHparams hp) =>
        Hparams.Canonical(hp, ["init", "bias-init"]);

    public static bool CanJoin(LotteryHparams hp) =>
        hp.Control == Control.None && hp.TransferFrom.Length == 0 && hp.OptimizerState == OptimizerState.Fresh;

    /// <summary>Throws unless <paramref name="members"/> can train as one cohort.</summary>
    public static void Check(IReadOnlyList<LotteryHparams> members)
    {
        if (members.Count == 0) throw new ArgumentException("a cohort needs at least one member");
        if (members.Count == 1) return;
        var key = Key(members[0]);
        foreach (var m in members)
        {
            if (!CanJoin(m)) throw new ArgumentException("cohort members cannot use --control, --transfer-from or --optimizer-state carry");
            if (Key(m) != key) throw new ArgumentException("cohort members may differ only in --init and --bias-init");
        }
        if (members.Select(Hparams.Hash).Distinct().Count() != members.Count) throw new ArgumentException("cohort members must be different runs");
    }

    /// <summary>
    /// Groups plan entries into cohorts of at most <paramref name="size"/>: entries with the same seed and
    /// cohort key, split into as few cohorts as the cap allows and as even as possible (10 runs at
    /// K = 4 → 4, 3, 3, not 4, 4, 2, so that parallel workers finish together). Entries that cannot join
    /// a cohort stay alone. Groups are ordered by their first plan entry.
    /// </summary>
    public static List<List<int>> Group(IReadOnlyList<SweepRun> plan, int size)
    {
        var byKey = new Dictionary<(string, long), List<int>>();
        var groups = new List<List<int>>();
        for (int i = 0; i < plan.Count; i++)
        {
            var run = plan[i];
            if (size <= 1 || !CanJoin(run.Hparams)) { groups.Add([i]); continue; }
            var key = (Key(run.Hparams), run.Seed);
            if (!byKey.TryGetValue(key, out var list)) byKey[key] = list = [];
            list.Add(i);
        }
        foreach (var list in byKey.Values)
        {
            int count = (list.Count + size - 1) / size, start = 0;
            for (int g = 0; g < count; g++)
            {
                int take = list.Count / count + (g < list.Count % count ? 1 : 0);
                groups.Add(list.GetRange(start, take));
                start += take;
            }
        }
        return groups.OrderBy(g => g[0]).ToList();
    }
}
