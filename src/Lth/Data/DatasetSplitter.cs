using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Data;

/// <summary>
/// Turns the files as read (<see cref="RawSplits"/>) into the splits a run uses:
/// validation is the LAST <see cref="DatasetHparams.Validation"/> images of the training file;
/// the training split is the first <see cref="DatasetHparams.TrainSubset"/> of the remaining
/// images (all when 0); the test split the first <see cref="DatasetHparams.TestSubset"/> test
/// images (all when 0). All three are normalized per channel with the mean and (population)
/// standard deviation of the training split actually used, or (<c>--inputs unit-range</c>) divided by 255.
/// </summary>
public static class DatasetSplitter
{
    /// <summary>Builds normalized float32 splits; <paramref name="raw"/> is left untouched.</summary>
    /// <exception cref="ArgumentException">The hparams ask for more images than the files hold, or a negative count.</exception>
    public static DatasetSplits Split(RawSplits raw, DatasetHparams hp)
    {
        var n = raw.Train.Count;
        var name = raw.Name;
        if (hp.Validation < 0 || hp.TrainSubset < 0 || hp.TestSubset < 0)
            throw new HparamsException($"{name}: validation, train-subset and test-subset must not be negative");
        if (hp.Validation >= n)
            throw new HparamsException($"{name}: validation {hp.Validation} leaves no training images (the training file has {n})");
        var remaining = n - hp.Validation;
        if (hp.TrainSubset > remaining)
            throw new HparamsException($"{name}: train-subset {hp.TrainSubset} exceeds the {remaining} training images left after validation {hp.Validation}");
        if (hp.TestSubset > raw.Test.Count)
            throw new HparamsException($"{name}: test-subset {hp.TestSubset} exceeds the {raw.Test.Count} test images");
        var trainN = hp.TrainSubset == 0 ? remaining : hp.TrainSubset;
        var testN = hp.TestSubset == 0 ? raw.Test.Count : hp.TestSubset;

        using var scope = torch.NewDisposeScope();
        var trainX = raw.Train.Images.narrow(0, 0, trainN).to_type(ScalarType.Float32);
        var (mean, std) = hp.Inputs == InputScaling.Standardize ? ChannelStats(trainX) : UnitRange(raw);
        Dataset Make(Tensor images, Tensor labels, long start, long count, Tensor? asFloat = null)
        {
            var x = ((asFloat ?? images.narrow(0, start, count).to_type(ScalarType.Float32)) - mean) / std;
            var y = labels.narrow(0, start, count).clone();
            return new Dataset(x.contiguous().MoveToOuterDisposeScope(), y.MoveToOuterDisposeScope(), raw.Train.NumClasses);
        }
        return new DatasetSplits(
            Make(raw.Train.Images, raw.Train.Labels, 0, trainN, trainX),
            Make(raw.Train.Images, raw.Train.Labels, remaining, hp.Validation),
            Make(raw.Test.Images, raw.Test.Labels, 0, testN)) { Files = raw.Files };
    }

    /// <summary>Pixels / 255 written as (x − 0) / 255; only 8-bit images have a unit range to scale to.</summary>
    private static (Tensor Mean, Tensor Std) UnitRange(RawSplits raw)
    {
        if (raw.Train.Images.dtype != ScalarType.Byte)
            throw new HparamsException($"--inputs unit-range: {raw.Name} is not stored as 8-bit pixels; use --inputs standardize");
        return (torch.zeros(1), torch.full(1, 255f));
    }

    /// <summary>Per-channel mean and population std over [N, C, H, W], shaped [1, C, 1, 1]; a zero std becomes 1.</summary>
    internal static (Tensor Mean, Tensor Std) ChannelStats(Tensor images)
    {
        long[] dims = [0, 2, 3];
        var mean = images.mean(dims, keepdim: true);
        var std = images.std(dims, unbiased: false, keepdim: true);
        std = std.masked_fill(std.eq(0), 1.0);
        return (mean, std);
    }
}
