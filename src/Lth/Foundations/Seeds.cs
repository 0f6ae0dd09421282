namespace Lth.Foundations;

/// <summary>
/// Derives independent, reproducible generator seeds from a run seed, one stream per purpose
/// (initialization, data order per epoch, …), with SplitMix64 so that nearby seeds give
/// unrelated streams. Nothing in lth reads global RNG state.
/// </summary>
public static class Seeds
{
    /// <summary>Seed of the generator that draws the initial weights.</summary>
    public static ulong ForInit(long seed) => Mix((ulong)seed, 0x1A17);

    /// <summary>Seed of the generator that shuffles the training data in <paramref name="epoch"/>.</summary>
    public static ulong ForDataOrder(long seed, long epoch) => Mix(Mix((ulong)seed, 0xDA7A), (ulong)epoch);

    /// <summary>Seed of a named auxiliary stream (controls, random pruning, …).</summary>
    public static ulong For(long seed, string purpose)
    {
        ulong h = 1469598103934665603UL; // FNV-1a of the purpose
        foreach (char c in purpose) { h ^= c; h *= 1099511628211UL; }
        return Mix((ulong)seed, h);
    }

    private static ulong Mix(ulong a, ulong b)
    {
        ulong z = a * 0x9E3779B97F4A7C15UL + b + 0x632BE59BD9B4E019UL;
        z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
        z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
        return (z ^ (z >> 31)) & 0x7FFF_FFFF_FFFF_FFFFUL; // libtorch seeds are taken as signed
    }
}
