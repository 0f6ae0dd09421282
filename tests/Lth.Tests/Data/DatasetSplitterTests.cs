using Lth.Data;
using Lth.Experiments;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Tests.Data;

public class DatasetSplitterTests
{
    /// <summary>3-channel uint8 data whose channels have different means; image i's pixel [0,0,0] is i, label i % 10.</summary>
    static RawSplits Raw(int train = 40, int test = 12)
    {
        RawDataset Make(int n, int seed)
        {
            using var g = new Generator((ulong)seed);
            var x = torch.randint(0, 60, [n, 3, 4, 4], ScalarType.Int64, generator: g) + torch.tensor(new long[] { 0, 100, 190 }).view(1, 3, 1, 1);
            x[TensorIndex.Colon, 0, 0, 0] = torch.arange(n);
            return new RawDataset(x.to_type(ScalarType.Byte), torch.arange(n) % 10, 10);
        }
        return new RawSplits("toy", Make(train, 1), Make(test, 2));
    }

    static long[] Ids(Dataset d, Tensor mean, Tensor std) =>
        (d.Images * std + mean)[TensorIndex.Colon, 0, 0, 0].round().to_type(ScalarType.Int64).data<long>().ToArray();

    [Fact]
    public void UnitRangeInputsArePixelsOver255()
    {
        using var raw = Raw();
        using var s = DatasetSplitter.Split(raw, new DatasetHparams { Validation = 10, Inputs = InputScaling.UnitRange });
        var expected = raw.Train.Images.narrow(0, 0, 30).to_type(ScalarType.Float32) / 255f;
        Assert.True(s.Train.Images.allclose(expected, rtol: 0, atol: 0), "train images are not pixel / 255");
        Assert.Equal(249f / 255f, s.Test.Images.max().item<float>(), 6);   // 190 + 59 at most: not centred, not rescaled
        Assert.True(s.Test.Images.min().item<float>() >= 0);
        using var synthetic = new RawSplits("floats", new RawDataset(torch.rand(4, 1, 2, 2), torch.zeros(4, ScalarType.Int64), 2), new RawDataset(torch.rand(2, 1, 2, 2), torch.zeros(2, ScalarType.Int64), 2));
        var e = Assert.Throws<HparamsException>(() => DatasetSplitter.Split(synthetic, new DatasetHparams { Validation = 1, Inputs = InputScaling.UnitRange }));
        Assert.StartsWith("--inputs unit-range:", e.Message);
    }

    [Fact]
    public void ValidationIsTheEndOfTheTrainingFileAndDisjointFromTrain()
    {
        using var raw = Raw();
        using var s = DatasetSplitter.Split(raw, new DatasetHparams { Validation = 15 });
        Assert.Equal((25L, 15L, 12L), (s.Train.Count, s.Validation.Count, s.Test.Count));
        var trainX = raw.Train.Images.narrow(0, 0, 25).to_type(ScalarType.Float32);
        var (mean, std) = DatasetSplitter.ChannelStats(trainX);
        Assert.Equal(Enumerable.Range(0, 25).Select(i => (long)i), Ids(s.Train, mean, std));
        Assert.Equal(Enumerable.Range(25, 15).Select(i => (long)i), Ids(s.Validation, mean, std));
        Assert.Equal(Enumerable.Range(25, 15).Select(i => (long)(i % 10)), s.Validation.Labels.data<long>().ToArray());
        Assert.Equal(Enumerable.Range(0, 12).Select(i => (long)i), Ids(s.Test, mean, std));
        Assert.Equal([3L, 4, 4], s.Train.ExampleShape);
        Assert.Equal(ScalarType.Float32, s.Train.Images.dtype);
    }

    [Fact]
    public void NormalizesEverySplitWithTrainStatistics()
    {
        using var raw = Raw(train: 400, test: 50);
        using var s = DatasetSplitter.Split(raw, new DatasetHparams { Validation = 100, TrainSubset = 200 });
        long[] dims = [0, 2, 3];
        var mean = s.Train.Images.mean(dims).data<float>().ToArray();
        var std = s.Train.Images.std(dims, unbiased: false).data<float>().ToArray();
        Assert.All(mean, m => Assert.InRange(m, -1e-4f, 1e-4f));
        Assert.All(std, v => Assert.InRange(v, 1 - 1e-4f, 1 + 1e-4f));
        // Validation and test use the same affine map, computed from the 200 training images only.
        var (tm, ts) = DatasetSplitter.ChannelStats(raw.Train.Images.narrow(0, 0, 200).to_type(ScalarType.Float32));
        var expectVal = (raw.Train.Images.narrow(0, 300, 100).to_type(ScalarType.Float32) - tm) / ts;
        Assert.True(expectVal.allclose(s.Validation.Images, rtol: 1e-5, atol: 1e-5));
        var expectTest = (raw.Test.Images.to_type(ScalarType.Float32) - tm) / ts;
        Assert.True(expectTest.allclose(s.Test.Images, rtol: 1e-5, atol: 1e-5));
    }

    [Fact]
    public void SubsetsTakeTheFirstImages()
    {
        using var raw = Raw();
        using var s = DatasetSplitter.Split(raw, new DatasetHparams { Validation = 10, TrainSubset = 7, TestSubset = 4 });
        Assert.Equal((7L, 10L, 4L), (s.Train.Count, s.Validation.Count, s.Test.Count));
        var (mean, std) = DatasetSplitter.ChannelStats(raw.Train.Images.narrow(0, 0, 7).to_type(ScalarType.Float32));
        Assert.Equal(Enumerable.Range(0, 7).Select(i => (long)i), Ids(s.Train, mean, std));
        Assert.Equal(Enumerable.Range(30, 10).Select(i => (long)i), Ids(s.Validation, mean, std));
        Assert.Equal(Enumerable.Range(0, 4).Select(i => (long)i), Ids(s.Test, mean, std));
    }

    [Fact]
    public void ZeroValidationGivesAnEmptyValidationSplit()
    {
        using var raw = Raw();
        using var s = DatasetSplitter.Split(raw, new DatasetHparams { Validation = 0 });
        Assert.Equal((40L, 0L), (s.Train.Count, s.Validation.Count));
        Assert.Equal([0L, 3, 4, 4], s.Validation.Images.shape);
    }

    [Theory]
    [InlineData(40, 0, 0, "leaves no training images")]
    [InlineData(50, 0, 0, "leaves no training images")]
    [InlineData(10, 31, 0, "train-subset 31 exceeds")]
    [InlineData(10, 0, 13, "test-subset 13 exceeds")]
    [InlineData(-1, 0, 0, "negative")]
    public void ImpossibleSplitsAreArgumentErrors(int validation, int trainSubset, int testSubset, string message)
    {
        using var raw = Raw();
        var e = Assert.Throws<HparamsException>(() =>
            DatasetSplitter.Split(raw, new DatasetHparams { Validation = validation, TrainSubset = trainSubset, TestSubset = testSubset }));
        Assert.Contains(message, e.Message);
        Assert.Contains("toy", e.Message);
    }
}
