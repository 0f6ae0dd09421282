using static TorchSharp.torch;

namespace Lth.Data;

/// <summary>
/// The standard CIFAR training augmentation (as torchvision's RandomCrop(32, padding=4) and
/// RandomHorizontalFlip()): each image is zero-padded by 4 pixels, a random window of its original size
/// is cut out, and it is mirrored left–right with probability ½. Draws come from the generator it is
/// given (seeded per epoch by the trainer), so a resumed run augments exactly as an uninterrupted one.
/// </summary>
public static class Augmentation
{
    public const int Padding = 4;

    /// <summary>Augmented copy of a batch [B, C, H, W].</summary>
    public static Tensor CropAndFlip(Tensor batch, Generator rng)
    {
        long b = batch.shape[0], h = batch.shape[2], w = batch.shape[3];
        var offsets = randint(0, 2 * Padding + 1, [b, 2], generator: rng).data<long>().ToArray();
        var flips = rand([b], generator: rng).lt(0.5).data<bool>().ToArray();
        var padded = nn.functional.pad(batch, [Padding, Padding, Padding, Padding]);
        var images = new Tensor[b];
        for (long i = 0; i < b; i++)
        {
            var img = padded[i].narrow(1, offsets[2 * i], h).narrow(2, offsets[2 * i + 1], w);
            images[i] = flips[i] ? img.flip(2) : img;
        }
        return stack(images);
    }
}
