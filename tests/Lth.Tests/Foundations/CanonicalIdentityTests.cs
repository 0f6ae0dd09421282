using Lth.Experiments;

namespace Lth.Tests.Foundations;

/// <summary>One experiment spelled several ways is one run: one hash, one folder, one report group.</summary>
public class CanonicalIdentityTests
{
    private static LotteryHparams With(string flag, string value) => new LotteryHparams().With(flag, value);

    [Theory]
    [InlineData("init", "xavier-normal-half", "xavier-normal:gain=0.5", "Xavier-Normal: Gain=0.5")]
    [InlineData("init", "kaiming-normal", "kaiming-normal:mode=fan_in", "KAIMING-NORMAL:nonlinearity=relu,mode=fan_in")]
    [InlineData("init", "xavier-uniform-double", "xavier-uniform:gain=2", "xavier-uniform:gain=2.0")]
    [InlineData("model", "lenet", "lenet:300,100", "LeNet:300, 100")]
    [InlineData("model", "resnet20", "resnet20:16", "ResNet20")]
    [InlineData("activation", "leaky-relu", "leaky-relu:0.01", "Leaky-ReLU:1e-2")]
    [InlineData("rates", "fc1=0.2,fc3=0.1", "fc3=0.1,fc1=0.2", " fc1=0.20 , fc3=0.1")]
    [InlineData("steps", "5ep", "5EP", "05ep")]
    public void AliasSpellingsHashEqual(string flag, string a, string b, string c)
    {
        var hashes = new[] { a, b, c }.Select(v => Hparams.Hash(With(flag, v))).ToList();
        Assert.All(hashes, h => Assert.Equal(hashes[0], h));
        // and the stored value is the canonical one
        Assert.Equal(Hparams.ToJson(With(flag, a)), Hparams.ToJson(With(flag, c)));
    }

    [Fact]
    public void TheSeedStudyAliasesStayTheCanonicalSpelling()
    {
        // Existing runs (the seed study, the presets) keep their hashes: an alias is its scheme's canonical form.
        Assert.Equal("xavier-normal-half", With("init", "xavier-normal:gain=0.5").Model.Init);
        Assert.Equal("lenet:300,100", With("model", "lenet").Model.Name);
        Assert.Equal("resnet20", With("model", "resnet20:16").Model.Name);
        Assert.Equal("xavier-normal:gain=0.25", With("init", "xavier-normal:gain=0.25").Model.Init);
    }

    [Fact]
    public void DefaultsAreCanonical()
    {
        var d = new LotteryHparams();
        foreach (var f in Hparams.Fields.Where(f => f.Type == typeof(string)))
            Assert.Equal(f.Format(f.Get(d)), Hparams.CanonicalSpec(f.Flag, (string)f.Get(d)!));
    }

    [Theory]
    [InlineData("conv2", "activation", "leaky-relu:0.1")]
    [InlineData("resnet20", "bias", "false")]
    [InlineData("lenet:300,100", "rate-conv", "0.3")]
    public void AFlagTheModelDoesNotUseIsRefused(string model, string flag, string value)
    {
        var hp = With("model", model).With(flag, value);
        var e = Assert.Throws<HparamsException>(() => Hparams.Validate(hp));
        Assert.StartsWith($"--{flag}:", e.Message);
    }

    [Fact]
    public void GlobalPruningRefusesRatesItCannotHonour()
    {
        var e = Assert.Throws<HparamsException>(() => Hparams.Validate(With("prune", "global").With("rates", "fc1=0.3")));
        Assert.StartsWith("--rates:", e.Message);
        e = Assert.Throws<HparamsException>(() => Hparams.Validate(With("model", "conv2").With("prune", "global").With("rate-conv", "0.1")));
        Assert.StartsWith("--rate-conv:", e.Message);
        Hparams.Validate(Preset.Get("resnet20-fashion").Hparams);   // global with --rate-conv equal to --rate is honoured
    }

    [Fact]
    public void ARunStoredUnderAnOldSpellingIsStillFound()
    {
        using var dir = new TempDir();
        var hp = With("init", "xavier-normal:gain=0.25").With("dataset", "synthetic");
        // An earlier lth hashed the text as typed, and named the folder by that hash.
        var json = Hparams.ToJson(hp).Replace("xavier-normal:gain=0.25", "Xavier-Normal:gain=0.250");
        Assert.NotEqual(Hparams.Hash(hp), Hparams.HashAsWritten(json));
        var legacy = Path.Combine(dir, RunStore.RunPrefix + Hparams.HashAsWritten(json));
        Directory.CreateDirectory(legacy);
        File.WriteAllText(Path.Combine(legacy, RunStore.HparamsFile), json);
        Assert.Equal(legacy, new RunStore(dir).RunDir(hp));
        Assert.True(RunStore.IsNamedBy(legacy, json, Hparams.FromJson(json)));
        Assert.Equal(Path.Combine(dir, RunStore.RunPrefix + Hparams.Hash(With("init", "kaiming-normal"))), new RunStore(dir).RunDir(With("init", "kaiming-normal")));
        Assert.Equal(Hparams.Hash(hp), Hparams.HashAsWritten(Hparams.ToJson(hp)));   // canonical text: the same hash
    }

    [Fact]
    public void AFolderWhoseHparamsWereEditedIsNeverTakenForTheEditedRun()
    {
        using var dir = new TempDir();
        var hp = With("dataset", "synthetic");
        var edited = hp.With("lr", "0.5");
        var folder = Path.Combine(dir, RunStore.RunPrefix + Hparams.Hash(hp));
        Directory.CreateDirectory(folder);
        File.WriteAllText(Path.Combine(folder, RunStore.HparamsFile), Hparams.ToJson(edited));   // lr changed after the run
        Assert.False(RunStore.IsNamedBy(folder, Hparams.ToJson(edited), edited));
        Assert.Equal(Path.Combine(dir, RunStore.RunPrefix + Hparams.Hash(edited)), new RunStore(dir).RunDir(edited));
    }

    [Fact]
    public void MapValuedFlagsAreOneSweepValue()
    {
        Assert.Single(SweepPlan.SplitValues("fc1=0.2,fc2=0.2", map: true));
        Assert.Equal(2, SweepPlan.SplitValues("fc1=0.2,fc2=0.2;fc1=0.5", map: true).Count);
        Assert.True(Hparams.Field("rates").Attribute.Map);
    }

    [Fact]
    public void ChoicesAreTypedAndWrittenInKebabCase()
    {
        var hp = With("control", "Random-Prune-Global").With("optimizer-state", "carry").With("prune", "global");
        Assert.Equal(Control.RandomPruneGlobal, hp.Control);
        Assert.Equal(OptimizerState.Carry, hp.OptimizerState);
        Assert.Equal(PruneScope.Global, hp.Pruning.Scope);
        Assert.Contains("\"control\": \"random-prune-global\"", Hparams.ToJson(hp));
        var e = Assert.Throws<HparamsException>(() => With("control", "reinitt"));
        Assert.Contains("reinit-signed", e.Message);
    }
}
