using Lth.Experiments;
using Lth.Init;
using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Tests.Init;

/// <summary>docs/architecture.md's recipes "Add an init scheme" and "Add a model", exercised end to end.</summary>
[Collection(RegistryCollection.Name)]
public sealed class RegisterSchemeTests : IDisposable
{
    /// <summary>U(0, gain/fan_in): a scheme with a gain and a spec of its own.</summary>
    private sealed class ToyInit(double gain) : IInitializer
    {
        public string Spec => gain == 1 ? "toy-positive" : $"toy-positive:gain={InitSpec.Format(gain)}";
        public void Apply(Tensor t, Fans fans, Generator rng)
        {
            using var _ = no_grad();
            t.uniform_(0, gain / fans.FanIn, rng);
        }
        public Distribution Describe(Fans fans) => new("uniform", gain / fans.FanIn / 2, gain / fans.FanIn / Math.Sqrt(12), 0, gain / fans.FanIn);
    }

    public void Dispose()
    {
        Initializers.Unregister("toy-positive");
        ModelRegistry.Unregister("toy-mlp");
    }

    public RegisterSchemeTests()
    {
        Initializers.Register("toy-positive", "test: U(0, gain/fan_in)", ["gain"], s => new ToyInit(s.Number("gain", 1)));
        ModelRegistry.Register(new("toy-mlp", "test: one hidden layer of 12", UsesActivation: true, UsesBias: true, HasConv: false,
            w => w.Length == 0 ? "toy-mlp" : throw new FormatException("model: toy-mlp takes no widths"),
            (hp, a) => new LeNet(hp.Name, a.ExampleShape.Aggregate(1L, (x, y) => x * y), [12], a.Classes, Activation.Parse(hp.Activation), hp.Bias, a.Members, a.Device)));
    }

    [Fact]
    public void ARegisteredSchemeAndModelRunEndToEnd()
    {
        using var data = TinyData.Create();
        using var dir = new TempDir();
        var store = new RunStore(dir);
        var hp = Lth.Tests.Experiments.LotteryRunnerTests.Tiny().With("init", "Toy-Positive:gain=1").With("model", "TOY-MLP");
        Assert.Equal("toy-positive", hp.Model.Init);
        Assert.Equal("toy-mlp", hp.Model.Name);
        var summaries = new LotteryRunner(store, hp, data).Run(1, 1);
        Assert.Equal(2, summaries.Count);
        Assert.All(summaries, s => Assert.True(s.TestAccuracyAtEarlyStop > 0.4, $"level {s.Level}: {s.TestAccuracyAtEarlyStop}"));

        using var model = ModelRegistry.Create(hp.Model, data.Train.ExampleShape, data.Train.NumClasses);
        Assert.Equal(["fc1.weight", "fc1.bias", "fc2.weight", "fc2.bias"], model.Layout.Parameters.Select(p => p.Name));
        WeightFiles.Load(model, Path.Combine(store.SeedDir(hp, 1), RunStore.InitFile));
        var w = model.View(model.Flat, model.Layout["fc1.weight"], 0).data<float>().ToArray();
        Assert.All(w, x => Assert.InRange(x, 0f, 1f / 16));   // fan_in 16 (1x4x4 inputs)
        Assert.InRange(w.Average(), 0.4 / 16, 0.6 / 16);
    }
}
