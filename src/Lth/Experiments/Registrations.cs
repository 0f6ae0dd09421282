using System.Globalization;
using System.Runtime.CompilerServices;
using Lth.Data;
using Lth.Init;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;

namespace Lth.Experiments;

/// <summary>
/// Connects the registries to the hparams: which flags hold specs and how each is written canonically (so that
/// one scheme, model or strategy spelled several ways is one run), and the rules between fields that need a
/// registry. Foundations declares the hooks and uses no other layer; this file, run once when the library
/// loads, fills them.
/// </summary>
internal static class Registrations
{
#pragma warning disable CA2255 // a library's module initializer is the point here: every entry path (flags, presets, JSON) sees canonical specs
    [ModuleInitializer]
#pragma warning restore CA2255
    internal static void Register()
    {
        Hparams.RegisterSpec("dataset", name => DatasetSources.Get(name).Name);
        Hparams.RegisterSpec("model", ModelRegistry.Canonical);
        Hparams.RegisterSpec("activation", a => Activation.Parse(a).Spec);
        Hparams.RegisterSpec("init", Initializers.Canonical);
        Hparams.RegisterSpec("bias-init", b => BiasInit.Parse(b).Spec);
        Hparams.RegisterSpec("transfer-from", s => s.Length == 0 ? "" : Initializers.Canonical(s));
        Hparams.RegisterSpec("optimizer", Optimizers.Canonical);
        Hparams.RegisterSpec("steps", s => Positive(Step.Parse(s, "steps")));
        Hparams.RegisterSpec("eval-every", s => Positive(Step.Parse(s, "eval-every")));
        Hparams.RegisterSpec("rewind", s => Step.Parse(s, "rewind").ToString());
        Hparams.RegisterSpec("warmup", LrSchedule.CanonicalWarmup);
        Hparams.RegisterSpec("lr-drops", LrSchedule.CanonicalDrops);
        Hparams.RegisterSpec("strategy", PruningStrategies.Canonical);
        Hparams.RegisterSpec("rates", PruningRates.Canonical);
        Hparams.RegisterSpec("instability", Instability.Canonical);

        Hparams.RegisterCheck("model", ModelUsesItsFlags);
        Hparams.RegisterCheck("prune", GlobalScopeHonoursRates);
        Hparams.RegisterCheck("rates", RatesNameTheModelsTensors);
        Hparams.RegisterCheck("strategy", PruningStrategies.CheckFlags);
        Hparams.RegisterCheck("instability", Instability.Check);
        Hparams.RegisterCheck("warmup", LrSchedule.CheckWarmup);
        Hparams.RegisterCheck("lr-drops", LrSchedule.CheckDrops);
        Hparams.RegisterCheck("one-shot", hp =>
        {
            if (hp.OneShot && PruningStrategies.Get(hp.Pruning.Strategy).AtInit)
                throw new HparamsException($"--one-shot: --strategy {hp.Pruning.Strategy} already prunes the initial weights to each level's density in one step");
        });
    }

    private static string Positive(Step s) =>
        s.Count > 0 ? s.ToString() : throw new FormatException($"'{s}' must be > 0");

    /// <summary>A model flag that the chosen architecture does not use is refused, not ignored (nor hashed).</summary>
    private static void ModelUsesItsFlags(LotteryHparams hp)
    {
        var family = ModelRegistry.Family(hp.Model.Name);
        var d = new LotteryHparams();
        if (!family.UsesActivation && hp.Model.Activation != d.Model.Activation)
            throw new HparamsException($"--activation: {family.Name} does not use it (its nonlinearity is fixed); leave it at {d.Model.Activation}");
        if (!family.UsesBias && hp.Model.Bias != d.Model.Bias)
            throw new HparamsException($"--bias: {family.Name} does not use it; leave it at {d.Model.Bias.ToString().ToLowerInvariant()}");
        if (!family.HasConv && hp.Pruning.RateConv != d.Pruning.RateConv)
            throw new HparamsException($"--rate-conv: {family.Name} has no convolutional layers");
    }

    /// <summary>Every name in <c>--rates</c> is a layer (<c>fc1</c>) or a parameter (<c>fc1.weight</c>) of the chosen model: a typo is refused, not ignored.</summary>
    private static void RatesNameTheModelsTensors(LotteryHparams hp)
    {
        var map = PruningRates.ParseMap(hp.Pruning.Rates);
        if (map.Count == 0) return;
        var source = DatasetSources.Get(hp.Dataset.Name);
        using var model = ModelRegistry.Create(hp.Model, source.ExampleShape, source.Classes);
        var names = model.Layout.Parameters.Where(p => p.Kind != LayerKind.Norm)
            .SelectMany(p => new[] { p.Name, p.Name.Split('.')[0] }).Distinct().ToList();
        foreach (var key in map.Keys.Where(k => !names.Contains(k)))
            throw new HparamsException($"--rates: '{key}' is not a layer or parameter of {hp.Model.Name} (known: {string.Join(", ", names)})");
    }

    /// <summary>
    /// Global pruning ranks every pruned tensor but the output layer together at <c>--rate</c>: per-tensor rates
    /// cannot be honoured there, so they are refused rather than ignored.
    /// </summary>
    private static void GlobalScopeHonoursRates(LotteryHparams hp)
    {
        var p = hp.Pruning;
        if (p.Scope != PruneScope.Global) return;
        if (p.Rates.Length > 0)
            throw new HparamsException("--rates: per-tensor rates cannot be honoured by --prune global (one ranking at --rate); use --prune layerwise");
        if (ModelRegistry.Family(hp.Model.Name).HasConv && p.RateConv != p.Rate)
            throw new HparamsException(string.Create(CultureInfo.InvariantCulture,
                $"--rate-conv: --prune global ranks conv and hidden layers together at --rate {p.Rate}; --rate-conv {p.RateConv} cannot be honoured (set it equal or use --prune layerwise)"));
    }
}
