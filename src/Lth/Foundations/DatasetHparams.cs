namespace Lth.Foundations;

/// <summary>Which data a run trains and evaluates on.</summary>
public sealed record DatasetHparams
{
    [Hparam("dataset", "dataset: mnist, fashion-mnist, kmnist, cifar10, synthetic")]
    public string Name { get; init; } = "fashion-mnist";

    [Hparam("validation", "images held out from the END of the training set for validation (never the test set)")]
    public int Validation { get; init; } = 5000;

    [Hparam("train-subset", "use only the first N remaining training images (0 = all)")]
    public int TrainSubset { get; init; }

    [Hparam("test-subset", "use only the first N test images (0 = all)")]
    public int TestSubset { get; init; }

    [Hparam("inputs", "standardize | unit-range: standardize each channel with the training split's mean and std, or feed 8-bit pixels divided by 255 (the seed study)")]
    public InputScaling Inputs { get; init; } = InputScaling.Standardize;

    [Hparam("augment", "standard augmentation of training batches: random crop (padding 4) and horizontal flip, drawn per epoch from the seed")]
    public bool Augment { get; init; }
}
