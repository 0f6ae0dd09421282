using Lth.Data;
using Lth.Experiments;
using Lth.Models;
using Lth.Pruning;
using Lth.Training;
using static TorchSharp.torch;

namespace Lth.Tests.Training;

/// <summary>
/// At LeNet-300-100's real sizes, cohort members against their solo runs: bitwise equal with one
/// libtorch thread; with two, MKL parallelizes a single matmul differently from a batched one, so the
/// members agree to float rounding (documented tolerance) instead.
/// </summary>
[Collection(ThreadsCollection.Name)]
public class LeNetScaleEqualityTests
{
    private static (float[][] Cohort, float[][] Solo, MemberResult[] RC, MemberResult[] RS) Train()
    {
        using var g = new Generator(17);
        var images = empty(600, 1, 28, 28).normal_(0, 1, g);
        var labels = randint(0, 10, [600], generator: g);
        using var data = new DatasetSplits(new Dataset(images, labels, 10),
            new Dataset(images.narrow(0, 0, 100), labels.narrow(0, 0, 100), 10),
            new Dataset(images.narrow(0, 100, 100), labels.narrow(0, 100, 100), 10));
        var hp = new TrainingHparams { Steps = "20it", EvalEvery = "10it" };
        var schemes = new[] { "xavier-normal", "kaiming-uniform", "xavier-normal:gain=2", "torch-default" };
        var m = new ModelHparams();
        using var cohort = ModelRegistry.Create(m, [1, 28, 28], 10, 4);
        using var mask = Mask.Dense(cohort.Layout);
        for (int k = 0; k < 4; k++) ModelInitializer.Apply(cohort, k, m with { Init = schemes[k] }, 2);
        var rc = new Trainer(hp, data, 2).Train(cohort, mask);
        var c = new float[4][]; var s = new float[4][]; var rs = new MemberResult[4];
        for (int k = 0; k < 4; k++)
        {
            using var solo = ModelRegistry.Create(m, [1, 28, 28], 10);
            using var soloMask = Mask.Dense(solo.Layout);
            ModelInitializer.Apply(solo, 0, m with { Init = schemes[k] }, 2);
            rs[k] = new Trainer(hp, data, 2).Train(solo, soloMask)[0];
            s[k] = solo.Layout.Parameters.SelectMany(p => solo.View(solo.Flat, p, 0).flatten().data<float>().ToArray()).ToArray();
            c[k] = solo.Layout.Parameters.SelectMany(p => cohort.View(cohort.Flat, cohort.Layout[p.Name], k).flatten().data<float>().ToArray()).ToArray();
        }
        return (c, s, rc, rs);
    }

    [Fact]
    public void WithOneThreadFourCohortMembersMatchSoloRunsBitwise()
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(1);
            var (c, s, rc, rs) = Train();
            for (int k = 0; k < 4; k++)
            {
                Assert.Equal(s[k], c[k]);
                Assert.Equal(rs[k].Metrics, rc[k].Metrics);
            }
        }
        finally { set_num_threads(before); }
    }

    [Fact]
    public void WithTwoThreadsFourCohortMembersMatchSoloRunsToFloatRounding()
    {
        int before = get_num_threads();
        try
        {
            set_num_threads(2);
            var (c, s, rc, rs) = Train();
            for (int k = 0; k < 4; k++)
            {
                double worst = c[k].Zip(s[k], (a, b) => Math.Abs(a - b)).Max();
                // Adam turns a last-bit gradient difference into up to one step of size lr = 1.2e-3.
                Assert.True(worst < 1.2e-3, $"member {k}: max |Δw| = {worst}");
                var a = rc[k].Metrics.Where(e => e.Split == "test").Select(e => e.Loss).ToArray();
                var b = rs[k].Metrics.Where(e => e.Split == "test").Select(e => e.Loss).ToArray();
                for (int i = 0; i < a.Length; i++) Assert.Equal(b[i], a[i], 3);
            }
        }
        finally { set_num_threads(before); }
    }
}
