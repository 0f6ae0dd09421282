using System.CommandLine;
using Lth.Experiments;

namespace Lth.Cli;

/// <summary>
/// The options that define a sweep's plan: <c>--study</c> (a shipped study or a file), then
/// <c>--preset</c> and hparam flags (one value overrides, several values make a grid axis),
/// <c>--seeds</c>, <c>--levels</c>. Resolving them gives the same plan in every process that is
/// given the same arguments — the parent, its workers and every Slurm array task.
/// </summary>
public sealed class SweepOptions
{
    public HparamOptions Hparams { get; } = new(allowLists: true);
    public Option<string?> Study { get; } = new("--study") { Description = "a shipped study (seed-study, seed-study-quick, frankle-lenet, …) or a study file (JSON)" };
    public Option<string?> Seeds { get; } = new("--seeds") { Description = "seeds: 1-5, 1,3,7 or 1-3,10 [default: the study's, else 1]" };
    public Option<int?> Levels { get; } = new("--levels") { Description = "levels per run [default: the study's or preset's, else 0]" };

    public void AddTo(Command c)
    {
        c.Options.Add(Study);
        Hparams.AddTo(c);
        c.Options.Add(Seeds);
        c.Options.Add(Levels);
    }

    public (List<SweepRun> Plan, int Levels, string Name) Resolve(ParseResult r)
    {
        var study = r.GetValue(Study) is string s ? Experiments.Study.Load(s) : null;
        if (study is not null && r.GetValue(Hparams.Preset) is not null)
            throw new HparamsException("--preset: a study names its own preset; give one or the other");
        var (flagBase, preset, flagGrid) = Hparams.ResolveGrid(r, study?.Base);
        var grid = new List<(string Flag, IReadOnlyList<string> Values)>();
        var given = Hparams.GivenFlags(r);
        foreach (var axis in study?.Grid ?? [])
            if (!given.Contains(axis.Flag)) grid.Add(axis);
        grid.AddRange(flagGrid);
        var seeds = SweepPlan.ParseSeeds(r.GetValue(Seeds) ?? study?.Seeds ?? "1");
        int levels = r.GetValue(Levels) ?? study?.Levels ?? preset?.Levels ?? 0;
        if (levels < 0) throw new HparamsException("--levels: must be >= 0");
        return (SweepPlan.Expand(flagBase, grid, seeds), levels, study?.Name ?? preset?.Name ?? "sweep");
    }
}
