using System.CommandLine;
using Lth.Experiments;

namespace Lth.Cli;

/// <summary>
/// One command-line option per hyperparameter, generated from <see cref="Hparams.Fields"/> (the single
/// source of truth), plus <c>--preset</c>. Values are applied over the preset in that order.
/// </summary>
public sealed class HparamOptions
{
    private readonly List<(HparamField Field, Option<string> Option)> options = new();

    public Option<string?> Preset { get; } = new("--preset") { Description = "start from a named preset (see lth presets)" };

    public HparamOptions(bool allowLists = false)
    {
        foreach (var f in Hparams.Fields)
        {
            var o = new Option<string>("--" + f.Flag)
            {
                Description = f.Description + (allowLists ? " (comma-separated values sweep)" : "") + $" [default: {f.Format(f.Get(new LotteryHparams()))}]",
                HelpName = f.TypeName,
            };
            options.Add((f, o));
        }
    }

    public void AddTo(Command command)
    {
        command.Options.Add(Preset);
        foreach (var (_, o) in options) command.Options.Add(o);
    }

    /// <summary>The preset (or defaults) with single-valued flags applied, and the grid of flags given several values.</summary>
    public (LotteryHparams Base, Preset? Preset, List<(string Flag, IReadOnlyList<string> Values)> Grid) ResolveGrid(ParseResult result, LotteryHparams? start = null)
    {
        var name = result.GetValue(Preset);
        var preset = name is null ? null : Foundations.Preset.Get(name);
        var hp = start ?? preset?.Hparams ?? new LotteryHparams();
        var grid = new List<(string, IReadOnlyList<string>)>();
        foreach (var (f, o) in options)
        {
            if (result.GetValue(o) is not string text) continue;
            var values = SweepPlan.SplitValues(text, f.Attribute.Map);
            if (values.Count == 1) hp = hp.With(f.Flag, values[0]);
            else grid.Add((f.Flag, values));
        }
        return (hp, preset, grid);
    }

    /// <summary>The hparam flags given on this command line.</summary>
    public HashSet<string> GivenFlags(ParseResult result) =>
        options.Where(x => result.GetValue(x.Option) is not null).Select(x => x.Field.Flag).ToHashSet();

    /// <summary>The preset (or defaults) with every given flag applied, validated.</summary>
    public (LotteryHparams Hparams, Preset? Preset) Resolve(ParseResult result)
    {
        var name = result.GetValue(Preset);
        var preset = name is null ? null : Foundations.Preset.Get(name);
        var hp = preset?.Hparams ?? new LotteryHparams();
        foreach (var (f, o) in options)
            if (result.GetValue(o) is string text) hp = hp.With(f.Flag, text);
        Hparams.Validate(hp);
        return (hp, preset);
    }
}
