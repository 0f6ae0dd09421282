using Lth.Experiments;

namespace Lth.Tests.Experiments;

public class HparamsTests
{
    [Fact]
    public void CanonicalStringHoldsOnlyNonDefaultFieldsSorted()
    {
        Assert.Equal("", Hparams.Canonical(new LotteryHparams()));
        var hp = new LotteryHparams().With("lr", "0.1").With("init", "xavier-normal").With("batch", "60");
        Assert.Equal("model.init=xavier-normal;training.lr=0.1", Hparams.Canonical(hp));
    }

    [Fact]
    public void HashesArePinned()
    {
        // Changing these breaks every stored run's identity: do it only on purpose.
        Assert.Equal("e3b0c44298fc1c14", Hparams.Hash(new LotteryHparams()));
        Assert.Equal(Pinned, Hparams.Hash(new LotteryHparams().With("init", "xavier-normal").With("lr", "0.1")));
        Assert.Equal(PinnedPreset, Hparams.Hash(Preset.Get("lenet-fashion").Hparams));
    }

    internal const string Pinned = "2285ee287faead6b";
    internal const string PinnedPreset = "f107469e7d7f4ccd";

    [Fact]
    public void JsonRoundTripsEveryField()
    {
        var hp = Preset.Get("lenet-fashion").Hparams.With("rewind", "500it").With("prune-biases", "true").With("validation", "1000");
        var back = Hparams.FromJson(Hparams.ToJson(hp));
        Assert.Equal(hp, back);
        Assert.Equal(Hparams.Hash(hp), Hparams.Hash(back));
    }

    [Fact]
    public void EveryFieldHasAUniqueFlagAndADescription()
    {
        Assert.Equal(Hparams.Fields.Count, Hparams.Fields.Select(f => f.Flag).Distinct().Count());
        Assert.All(Hparams.Fields, f => Assert.False(string.IsNullOrWhiteSpace(f.Description)));
        Assert.Contains(Hparams.Fields, f => f.Flag == "init" && f.Section == "model");
    }

    [Theory]
    [InlineData("rate", "1.0")]
    [InlineData("rate-output", "-0.1")]
    [InlineData("batch", "0")]
    [InlineData("lr", "0")]
    [InlineData("steps", "10")]
    [InlineData("optimizer", "adagrad")]
    [InlineData("model", "lenet:300,x")]
    [InlineData("prune", "sideways")]
    public void ValidationNamesTheFlag(string flag, string value)
    {
        var e = Assert.Throws<HparamsException>(() => Hparams.Validate(new LotteryHparams().With(flag, value)));
        Assert.Contains("--" + flag, e.Message);
    }

    [Fact]
    public void UnparsableValuesNameTheFlag()
    {
        var e = Assert.Throws<HparamsException>(() => new LotteryHparams().With("batch", "sixty"));
        Assert.Contains("--batch", e.Message);
    }

    [Fact]
    public void PresetsLoadAndValidate()
    {
        Assert.Contains("lenet-fashion", Preset.All.Keys);
        Assert.Contains("lenet-fashion-quick", Preset.All.Keys);
        Assert.Contains("lenet-mnist", Preset.All.Keys);
        Assert.Contains("synthetic-tiny", Preset.All.Keys);
        var p = Preset.Get("lenet-fashion");
        Assert.Equal(1.2e-3, p.Hparams.Training.Lr);
        Assert.Equal(60, p.Hparams.Training.Batch);
        Assert.Equal("50000it", p.Hparams.Training.Steps);
        Assert.Throws<HparamsException>(() => Preset.Get("nope"));
    }
}
