using Lth.Data;
using Lth.Models;
using Lth.Pruning;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// Where each level's mask comes from. Level 0 is dense. A later level's mask is, in this order:
/// for a control or a transfer, the source run's mask of this
/// level, as it is or through the control's mask transform; for a pruning-at-initialization strategy, the strategy
/// applied to the run's initial weights and a dense mask at the rates that reach this level's density in one step
/// (so every level is the fresh init pruned to one density of the IMP schedule); for one-shot, the chosen strategy
/// applied to the dense trained network at those rates; otherwise the chosen strategy applied to the previous
/// level's trained weights and mask. Every new mask is saved before it is used, and its SHA-256 goes into the level's
/// summary. The stored files it starts from (previous level, source run) are checked against their digests
/// (<see cref="StoredFiles"/>). A mask file left by a killed run of the level being trained is not read back: no summary
/// records it, so it is computed again (the same bits: every input is stored and verified, every generator seeded).
/// </summary>
internal sealed class LevelMasks(RunStore store, DatasetSplits data)
{
    /// <summary>
    /// The mask of <paramref name="level"/> for member <paramref name="m"/> (index <paramref name="member"/> in its cohort),
    /// computed on the one-member <paramref name="scratch"/> model and saved; its digest is kept in <see cref="RunMember.MaskDigest"/>.
    /// </summary>
    public Mask Create(IModel scratch, RunMember m, long seed, int level, int member)
    {
        var mask = level == 0 ? Mask.Dense(scratch.Layout) : Next(scratch, m, seed, level, member);
        try
        {
            Directory.CreateDirectory(m.LevelDir(level));
            m.MaskDigest = WeightFiles.SaveTensors(mask.ToNamed(0), Path.Combine(m.LevelDir(level), RunStore.MaskFile));
            return mask;
        }
        catch { mask.Dispose(); throw; }
    }

    private Mask Next(IModel scratch, RunMember m, long seed, int level, int member)
    {
        var hp = m.Hp;
        if (m.SourceHp is not null)
        {
            using var source = WeightFiles.ReadMask(scratch.Layout, StoredFiles.Level(store.LevelDir(m.SourceHp, seed, level), RunStore.MaskFile));
            if (Controls.MaskTransform(hp.Control) is not { } transform) return new Mask(scratch.Layout, source.Flat.clone());
            return Apply(PruningStrategies.Get(transform, StrategyKind.MaskTransform), scratch, source, hp.Pruning, seed, level, member);
        }
        var strategy = PruningStrategies.Get(hp.Pruning.Strategy);
        if (strategy.AtInit)
        {
            using var dense = Mask.Dense(scratch.Layout);
            using (no_grad()) CohortCopy.Set(scratch, 0, m.Initial);
            return Apply(strategy, scratch, dense, PruningRates.ForOneShot(hp.Pruning, level), seed, level, member);
        }
        if (hp.OneShot)
        {
            using var dense = Mask.Dense(scratch.Layout);
            WeightFiles.Load(scratch, StoredFiles.Level(m.LevelDir(0), RunStore.FinalFile));
            return Apply(strategy, scratch, dense, PruningRates.ForOneShot(hp.Pruning, level), seed, level, member);
        }
        using var previous = WeightFiles.ReadMask(scratch.Layout, StoredFiles.Level(m.LevelDir(level - 1), RunStore.MaskFile));
        WeightFiles.Load(scratch, StoredFiles.Level(m.LevelDir(level - 1), RunStore.FinalFile));
        return Apply(strategy, scratch, previous, hp.Pruning, seed, level, member);
    }

    /// <summary>Runs a strategy with a generator (and training batches) of its own, seeded by seed, strategy and level.</summary>
    private Mask Apply(PruningStrategy strategy, IModel model, Mask current, PruningHparams hp, long seed, int level, int member)
    {
        using var rng = new Generator(Seeds.For(seed, $"{strategy.Name}-level-{level}"));
        using var batchRng = new Generator(Seeds.For(seed, $"{strategy.Name}-batches-level-{level}"));
        var train = data.Train;
        BatchSource batches = count =>
        {
            using var idx = randint(0, train.Count, [count], generator: batchRng).to(train.Images.device);
            return (train.Images.index_select(0, idx), train.Labels.index_select(0, idx));
        };
        return strategy.Create().Prune(new PruningContext(model, current, hp, level, member, rng, batches));
    }
}
