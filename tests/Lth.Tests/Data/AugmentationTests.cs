using Lth.Data;
using static TorchSharp.torch;

namespace Lth.Tests.Data;

public class AugmentationTests
{
    [Fact]
    public void CropsAWindowOfThePaddedImageAndFlipsAboutHalf()
    {
        using var g0 = new Generator(1);
        var batch = rand([400, 3, 8, 8], generator: g0) + 0.5f;           // strictly positive pixels
        using var g = new Generator(7);
        var aug = Augmentation.CropAndFlip(batch, g);
        Assert.Equal(batch.shape, aug.shape);
        var padded = nn.functional.pad(batch, [4, 4, 4, 4]);
        int flipped = 0;
        for (int i = 0; i < 400; i++)
        {
            bool found = false;
            for (int dy = 0; dy <= 8 && !found; dy++)
                for (int dx = 0; dx <= 8 && !found; dx++)
                {
                    var win = padded[i].narrow(1, dy, 8).narrow(2, dx, 8);
                    if (win.eq(aug[i]).all().item<bool>()) found = true;
                    else if (win.flip(2).eq(aug[i]).all().item<bool>()) { found = true; flipped++; }
                }
            Assert.True(found, $"image {i} is not a (flipped) window of its padded original");
        }
        Assert.InRange(flipped, 150, 250);
    }

    [Fact]
    public void TheSameGeneratorSeedGivesTheSameAugmentation()
    {
        var batch = arange(2 * 3 * 8 * 8, dtype: ScalarType.Float32).view(2, 3, 8, 8);
        using var a = new Generator(3);
        using var b = new Generator(3);
        Assert.True(Augmentation.CropAndFlip(batch, a).eq(Augmentation.CropAndFlip(batch, b)).all().item<bool>());
    }
}
