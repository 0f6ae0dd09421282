using Lth.Init;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>
/// Draws one member's initial weights: layer by layer in declaration order, the weight with the
/// requested scheme and then the bias with the requested bias scheme (using the weight's fans), all
/// from one explicit generator seeded from the run seed. The same seed and scheme give the same bits.
/// Batch-norm parameters are set to weight 1, bias 0 (PyTorch's default), drawing nothing.
/// </summary>
public static class ModelInitializer
{
    public static void Apply(IModel model, int member, ModelHparams hp, long seed) =>
        ApplyFromGenerator(model, member, hp, Seeds.ForInit(seed));

    /// <summary>Draws with a generator seeded by <paramref name="generatorSeed"/> (e.g. a control's fresh draw).</summary>
    public static void ApplyFromGenerator(IModel model, int member, ModelHparams hp, ulong generatorSeed)
    {
        var scheme = Initializers.Parse(hp.Init);
        var bias = BiasInit.Parse(hp.BiasInit);
        using var rng = new Generator(generatorSeed);
        using var _ = no_grad();
        var byName = model.Layout.Parameters.ToDictionary(p => p.Name);
        foreach (var b in model.Buffers) model.Buffer(b.Name)[member].fill_(b.Initial);
        foreach (var p in model.Layout.Parameters)
        {
            var view = model.View(model.Flat, p, member);
            if (p.Kind == LayerKind.Norm) view.fill_(p.Name.EndsWith(".weight") ? 1f : 0f);   // as nn.BatchNorm2d
            else if (p.IsWeight) scheme.Apply(view, Fans.Of(p.Shape), rng);
            else bias.Apply(view, Fans.Of(byName[p.WeightName].Shape), scheme, rng);
        }
    }
}
