using Lth.Data;
using static TorchSharp.torch;

namespace Lth.Tests.Support;

/// <summary>A small, learnable, deterministic classification problem built in memory for unit tests.</summary>
public static class TinyData
{
    public static DatasetSplits Create(int train = 600, int val = 200, int test = 200, int classes = 4, ulong seed = 7)
    {
        using var g = new Generator(seed);
        var protos = empty(classes, 1, 4, 4).normal_(0, 1, g);
        Dataset Make(int n)
        {
            var labels = randint(0, classes, [n], generator: g);
            var images = protos.index_select(0, labels) + empty(n, 1, 4, 4).normal_(0, 0.8, g);
            return new Dataset(images, labels, classes);
        }
        return new DatasetSplits(Make(train), Make(val), Make(test));
    }
}
