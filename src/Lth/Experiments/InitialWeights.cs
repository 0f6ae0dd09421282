using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Experiments;

/// <summary>
/// The iteration-0 weights of a run: the requested scheme's draw from the run seed — or, for the reinit
/// controls, a fresh draw (with the source run's signs for reinit-signed). Drawn once, saved as
/// <c>init.safetensors</c> with its SHA-256 recorded in <c>seed.json</c> right after, and read back (checked against that
/// digest) on every resume. An init file that no <c>seed.json</c> covers is read back unchecked only when level 0 is
/// complete (a run of an earlier lth); otherwise it is a draw interrupted before it was recorded, and is drawn again
/// (the same bits: the draw depends on the seed alone).
/// </summary>
internal static class InitialWeights
{
    /// <summary>Named copies of the member's initial weights (drawn and saved on first use), via the one-member <paramref name="scratch"/> model.</summary>
    public static Dictionary<string, Tensor> LoadOrCreate(IModel scratch, RunMember m, RunStore store, long seed)
    {
        var path = Path.Combine(m.SeedDir, RunStore.InitFile);
        if (File.Exists(path) && StoredFiles.SeedFilesKnown(m.SeedDir)) WeightFiles.Load(scratch, StoredFiles.Seed(m.SeedDir, RunStore.InitFile));
        else
        {
            if (Controls.Reinitializes(m.Hp.Control)) Reinitialize(scratch, m, store, seed);
            else ModelInitializer.Apply(scratch, 0, m.Hp.Model, seed);   // also resets buffers
            StoredFiles.RecordSeedFile(m.SeedDir, RunStore.InitFile, WeightFiles.Save(scratch, path));
        }
        return CohortCopy.Named(scratch, 0);
    }

    private static void Reinitialize(IModel scratch, RunMember m, RunStore store, long seed)
    {
        ModelInitializer.ApplyFromGenerator(scratch, 0, m.Hp.Model, Seeds.For(seed, "reinit"));
        if (m.Hp.Control != Control.ReinitSigned) return;
        using var fresh = scratch.Flat.abs();
        WeightFiles.Load(scratch, StoredFiles.Seed(store.SeedDir(m.SourceHp!, seed), RunStore.InitFile));
        using var _ = no_grad();
        using var sign = scratch.Flat.ge(0).to(ScalarType.Float32).mul_(2).sub_(1);
        scratch.Flat.copy_(fresh.mul(sign));
    }
}
