using Lth.Data;
using Lth.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Data;

public class SyntheticDataTests
{
    static DatasetSplits Load(DatasetHparams? hp = null) =>
        DatasetCatalog.Load((hp ?? new DatasetHparams()) with { Name = "synthetic" },
            new DataLocation { CacheRoot = "/nonexistent", SystemRoots = [], AllowDownload = false });

    [Fact]
    public void IsBitIdenticalEveryTime()
    {
        using var a = Load();
        using var b = Load();
        foreach (var (x, y) in new[] { (a.Train, b.Train), (a.Validation, b.Validation), (a.Test, b.Test) })
        {
            Assert.True(x.Images.equal(y.Images).all().item<bool>());
            Assert.True(x.Labels.equal(y.Labels).all().item<bool>());
        }
        // Drawing from the global RNG in between changes nothing.
        torch.manual_seed(123);
        using var raw1 = SyntheticData.Generate();
        torch.rand(10);
        using var raw2 = SyntheticData.Generate();
        Assert.True(raw1.Train.Images.equal(raw2.Train.Images).all().item<bool>());
    }

    [Fact]
    public void HasTheDocumentedShapeAndSplits()
    {
        using var s = Load();
        Assert.Equal((5000L, 5000L, 2000L), (s.Train.Count, s.Validation.Count, s.Test.Count));
        Assert.Equal([1L, 8, 8], s.Train.ExampleShape);
        Assert.Equal(10, s.Train.NumClasses);
        var counts = s.Train.Labels.bincount(null, 10).data<long>().ToArray();
        Assert.All(counts, c => Assert.InRange(c, 400, 600));
    }

    [Fact]
    public void NearestClassMeanIsWellAboveChanceButNotPerfect()
    {
        using var s = Load();
        using var scope = torch.NewDisposeScope();
        var x = s.Train.Images.flatten(1);
        var means = torch.stack([.. Enumerable.Range(0, 10).Select(c => x[s.Train.Labels.eq(c)].mean([0]))]);
        var predicted = torch.cdist(s.Test.Images.flatten(1), means).argmin(1);
        var accuracy = predicted.eq(s.Test.Labels).to_type(ScalarType.Float32).mean().item<float>();
        Assert.InRange(accuracy, 0.6f, 0.95f);
    }

    [Fact]
    public void SmallMlpLearnsItInAFewHundredSteps()
    {
        using var s = Load(new DatasetHparams { Validation = 1000 });
        using var scope = torch.NewDisposeScope();
        torch.manual_seed(7);
        var model = nn.Sequential(nn.Flatten(), nn.Linear(64, 64), nn.ReLU(), nn.Linear(64, 10));
        var opt = optim.SGD(model.parameters(), 0.05, momentum: 0.9);
        var loss = nn.CrossEntropyLoss();
        using var g = new Generator(1);
        for (var step = 0; step < 300; step++)
        {
            using var stepScope = torch.NewDisposeScope();
            var idx = torch.randint(0, s.Train.Count, [64], generator: g);
            opt.zero_grad();
            loss.forward(model.forward(s.Train.Images[idx]), s.Train.Labels[idx]).backward();
            opt.step();
        }
        using (torch.no_grad())
        {
            var accuracy = model.forward(s.Test.Images).argmax(1).eq(s.Test.Labels).to_type(ScalarType.Float32).mean().item<float>();
            Assert.InRange(accuracy, 0.5f, 0.99f);
        }
    }
}
