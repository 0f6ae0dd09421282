using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>The state of one run (one member of a cohort, or a solo run) while <see cref="LotteryRunner"/> runs it.</summary>
internal sealed class RunMember(LotteryHparams hp, string seedDir, int lastLevel) : IDisposable
{
    public LotteryHparams Hp { get; } = hp;
    public string SeedDir { get; } = seedDir;
    /// <summary>Held while this process runs the member; null when another process holds it.</summary>
    public RunLock? Lock { get; set; }
    /// <summary>For controls and transfer: the run whose masks this one uses.</summary>
    public LotteryHparams? SourceHp { get; set; }
    /// <summary>The last level to run (earlier when the source run diverged).</summary>
    public int LastLevel { get; set; } = lastLevel;
    /// <summary>The iteration-0 weights, named (see <see cref="InitialWeights"/>).</summary>
    public Dictionary<string, Tensor> Initial { get; set; } = new();
    public List<LevelSummary> Summaries { get; } = new();
    /// <summary>Every level to run was already done when the run opened: it is only read (no lock taken, nothing written).</summary>
    public bool Complete { get; set; }
    /// <summary>No more levels to run: finished, diverged, or held by another process.</summary>
    public bool Ended { get; set; }
    /// <summary>SHA-256 of the mask file written for the level in training (<see cref="LevelMasks"/>), for its summary.</summary>
    public string? MaskDigest { get; set; }
    /// <summary>With --optimizer-state carry (solo runs only): the optimizer continued from level to level.</summary>
    public IFlatOptimizer? Carried { get; set; }

    public string LevelDir(int level) => RunStore.LevelDirIn(SeedDir, level);

    public void Dispose()
    {
        foreach (var t in Initial.Values) t.Dispose();
        Carried?.Dispose();
        Lock?.Dispose();
    }
}
