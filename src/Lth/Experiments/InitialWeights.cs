using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// The iteration-0 weights of a run: the requested scheme's draw from the run seed — or, for the reinit
/// controls, a fresh draw (with the source run's signs for reinit-signed). Drawn once, saved as
/// <c>init.safetensors</c>, and read back on every resume.
/// </summary>
internal static class InitialWeights
{
    /// <summary>Named copies of the member's initial weights (drawn and saved on first use), via the one-member <paramref name="scratch"/> model.</summary>
    public static Dictionary<string, Tensor> LoadOrCreate(IModel scratch, RunMember m, RunStore store, long seed)
    {
        var path = Path.Combine(m.SeedDir, RunStore.InitFile);
        if (File.Exists(path)) WeightFiles.Load(scratch, path);
        else
        {
            if (Controls.Reinitializes(m.Hp.Control)) Reinitialize(scratch, m, store, seed);
            else ModelInitializer.Apply(scratch, 0, m.Hp.Model, seed);   // also resets buffers
            WeightFiles.Save(scratch, path);
        }
        return CohortCopy.Named(scratch, 0);
    }

    private static void Reinitialize(IModel scratch, RunMember m, RunStore store, long seed)
    {
        ModelInitializer.ApplyFromGenerator(scratch, 0, m.Hp.Model, Seeds.For(seed, "reinit"));
        if (m.Hp.Control != Control.ReinitSigned) return;
        using var fresh = scratch.Flat.abs();
        WeightFiles.Load(scratch, Path.Combine(store.SeedDir(m.SourceHp!, seed), RunStore.InitFile));
        using var _ = no_grad();
        using var sign = scratch.Flat.ge(0).to(ScalarType.Float32).mul_(2).sub_(1);
        scratch.Flat.copy_(fresh.mul(sign));
    }
}
