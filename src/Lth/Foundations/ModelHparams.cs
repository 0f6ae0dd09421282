namespace Lth.Foundations;

/// <summary>The architecture and how its weights are initialized.</summary>
public sealed record ModelHparams
{
    [Hparam("model", "architecture: lenet:300,100 (any fc widths)")]
    public string Name { get; init; } = "lenet:300,100";

    [Hparam("activation", "relu | leaky-relu:SLOPE")]
    public string Activation { get; init; } = "relu";

    [Hparam("bias", "layers have biases")]
    public bool Bias { get; init; } = true;

    [Hparam("init", "weight initialization scheme, e.g. kaiming-normal, xavier-normal:gain=0.5 (see lth inits)")]
    public string Init { get; init; } = "kaiming-normal";

    [Hparam("bias-init", "bias initialization: zeros | torch-default | same")]
    public string BiasInit { get; init; } = "torch-default";
}
