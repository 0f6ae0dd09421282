using static TorchSharp.torch;

namespace Lth.Init;

// TEMPORARY until the full scheme registry lands (branch init-schemes): the facade the rest of
// the library calls. Replaced by delegation to Initializers/BiasInit at merge time.
public static class Schemes
{
    public static IInitializer Parse(string spec) => spec switch
    {
        "kaiming-normal" => new Tmp(spec, f => ("normal", Math.Sqrt(2.0 / f.FanIn))),
        "torch-default" => new Tmp(spec, f => ("uniform", 1 / Math.Sqrt(f.FanIn))),
        "xavier-normal" => new Tmp(spec, f => ("normal", Math.Sqrt(2.0 / (f.FanIn + f.FanOut)))),
        _ => throw new FormatException($"init: unknown scheme '{spec}'"),
    };

    public static BiasScheme ParseBias(string spec) => spec is "zeros" or "torch-default" or "same"
        ? new BiasScheme(spec) : throw new FormatException($"bias-init: '{spec}' is not zeros, torch-default or same");

    private sealed class Tmp(string spec, Func<Fans, (string, double)> f) : IInitializer
    {
        public string Spec => spec;
        public void Apply(Tensor t, Fans fans, Generator rng)
        {
            using var _ = no_grad();
            var (k, s) = f(fans);
            if (k == "normal") t.normal_(0, s, rng); else t.uniform_(-s, s, rng);
        }
        public Distribution Describe(Fans fans) { var (k, s) = f(fans); return k == "normal" ? new(k, 0, s) : new(k, 0, s / Math.Sqrt(3), -s, s); }
    }
}

public sealed record BiasScheme(string Spec)
{
    public void Apply(Tensor bias, Fans weightFans, IInitializer scheme, Generator rng)
    {
        using var _ = no_grad();
        switch (Spec)
        {
            case "zeros": bias.zero_(); break;
            case "torch-default": var b = 1 / Math.Sqrt(weightFans.FanIn); bias.uniform_(-b, b, rng); break;
            default: scheme.Apply(bias, weightFans, rng); break;
        }
    }
}
