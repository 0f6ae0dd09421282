using Lth.Experiments;
using Lth.Tests.Experiments;

namespace Lth.Tests.Foundations;

/// <summary>--warmup, --lr-drops and --lr-gamma: refused when wrong or ignored, canonical, and out of the hash when unset.</summary>
public class LrScheduleFlagsTests
{
    private static LotteryHparams With(params string[] flagValues)
    {
        var hp = new LotteryHparams();
        for (int i = 0; i < flagValues.Length; i += 2) hp = hp.With(flagValues[i], flagValues[i + 1]);
        return hp;
    }

    [Theory]
    [InlineData("lr-drops", "lr-drops", "75%,50%")]                       // not increasing
    [InlineData("lr-drops", "lr-drops", "50%,50%")]
    [InlineData("lr-drops", "steps", "160ep", "lr-drops", "120ep,80ep")]
    [InlineData("lr-drops", "lr-drops", "200%")]                          // past the level
    [InlineData("lr-drops", "steps", "5ep", "lr-drops", "6ep")]
    [InlineData("lr-drops", "lr-drops", "60000it")]                       // default --steps is 50000it
    [InlineData("lr-drops", "lr-drops", "0it")]                           // not after the start
    [InlineData("lr-drops", "lr-drops", "80")]                            // no unit
    [InlineData("lr-drops", "lr-drops", "-5%")]
    [InlineData("lr-gamma", "lr-gamma", "0")]                             // outside (0, 1]
    [InlineData("lr-gamma", "lr-drops", "50%", "lr-gamma", "1.5")]
    [InlineData("lr-gamma", "lr-drops", "50%", "lr-gamma", "-0.1")]
    [InlineData("lr-gamma", "lr-gamma", "0.5")]                           // would be ignored without milestones
    [InlineData("warmup", "warmup", "60000it")]                           // longer than the level
    [InlineData("warmup", "steps", "5ep", "warmup", "6ep")]
    [InlineData("warmup", "warmup", "101%")]
    [InlineData("warmup", "warmup", "soon")]
    public void BadScheduleInputIsRefusedNamingTheFlag(string flag, params string[] flagValues)
    {
        var e = Assert.Throws<HparamsException>(() => Hparams.Validate(With(flagValues)));
        Assert.StartsWith($"--{flag}:", e.Message);
    }

    [Theory]
    [InlineData("steps", "160ep", "lr-drops", "80ep,120ep")]
    [InlineData("lr-drops", "50%,100%", "lr-gamma", "1")]
    [InlineData("steps", "160ep", "warmup", "160ep", "lr-drops", "0.5%,75%")]
    [InlineData("steps", "1000it", "lr-drops", "2ep")]   // epochs against iterations: checked by the trainer, which knows the epoch length
    public void GoodScheduleInputIsAccepted(params string[] flagValues) => Hparams.Validate(With(flagValues));

    [Theory]
    [InlineData("lr-drops", "50%,75%", "50%, 75%", " 50.0% ,075% ")]
    [InlineData("lr-drops", "80ep,120ep", "80EP, 120ep", "080ep,120Ep")]
    [InlineData("warmup", "2ep", "2EP", " 02ep")]
    public void SpellingsOfOneScheduleHashEqual(string flag, string a, string b, string c)
    {
        var hashes = new[] { a, b, c }.Select(v => Hparams.Hash(With(flag, v))).ToList();
        Assert.All(hashes, h => Assert.Equal(hashes[0], h));
        Assert.Equal(a, Hparams.Field(flag).Get(With(flag, c)));
        Assert.NotEqual(Hparams.Hash(new LotteryHparams()), hashes[0]);
    }

    [Theory]
    [InlineData("warmup", "0it")]
    [InlineData("warmup", "0ep")]
    [InlineData("warmup", "0%")]
    [InlineData("warmup", "none")]
    [InlineData("lr-drops", "")]
    [InlineData("lr-drops", "none")]
    [InlineData("lr-gamma", "0.1")]
    public void ANeutralScheduleIsNoScheduleAndKeepsTheHash(string flag, string value)
    {
        var hp = With(flag, value);
        Hparams.Validate(hp);
        Assert.Equal("", Hparams.Canonical(hp));
        Assert.Equal("e3b0c44298fc1c14", Hparams.Hash(hp));
        // and a pinned run without schedule flags keeps its hash
        Assert.Equal(HparamsTests.PinnedPreset, Hparams.Hash(Preset.Get("lenet-fashion").Hparams.With(flag, value)));
    }

    [Fact]
    public void InASweepTheMilestoneCommasDoNotSplitValues()
    {
        Assert.True(Hparams.Field("lr-drops").Attribute.Map);
        Assert.Equal(["80ep,120ep"], SweepPlan.SplitValues("80ep,120ep", map: true));
        Assert.Equal(["50%,75%", "80ep,120ep"], SweepPlan.SplitValues("50%,75%; 80ep,120ep", map: true));
    }

    [Fact]
    public void TheResNet20PresetsCarryOpenLthsSchedule()
    {
        foreach (var name in new[] { "resnet20-cifar", "resnet20-fashion" })
        {
            var p = Preset.Get(name);
            var t = p.Hparams.Training;
            Assert.Equal(("sgd", 0.1, 0.9, 1e-4, 128, "160ep"), (t.Optimizer, t.Lr, t.Momentum, t.WeightDecay, t.Batch, t.Steps));
            Assert.Equal(("80ep,120ep", 0.1, "0it"), (t.LrDrops, t.LrGamma, t.Warmup));
            Assert.Contains("training.lr-drops=80ep,120ep", Hparams.Canonical(p.Hparams));
            Assert.DoesNotContain("no schedules", p.Description);
        }
        // The presets' identities changed on purpose with the schedule (they were a06d97baa875aab5 and b1e94d4dceed2558).
        Assert.Equal("12e2e55a57c82323", Hparams.Hash(Preset.Get("resnet20-cifar").Hparams));
        Assert.Equal("71b14502361587e8", Hparams.Hash(Preset.Get("resnet20-fashion").Hparams));
    }

    [Fact]
    public void TheCliExitsTwoWithOneLineNamingTheFlag()
    {
        using var dir = new TempDir();
        var r = CliRunner.Run(dir, "run", "--dataset", "synthetic", "--lr-drops", "75%,50%", "--levels", "0");
        Assert.Equal(2, r.ExitCode);
        var line = Assert.Single(r.Stderr.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        Assert.Contains("--lr-drops", line);
        Assert.False(Directory.Exists(Path.Combine(dir, "runs")), "nothing is written for refused input");
    }
}
