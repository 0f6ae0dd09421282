
namespace Lth.Experiments;

/// <summary>
/// The control branches of a lottery experiment (Frankle &amp; Carbin 2019; Zhou et al. 2019;
/// Frankle et al. 2021), <see cref="Control"/>. A control run takes each level's mask from the same run
/// without control (its "source"), then changes the weights (<c>reinit</c>, <c>reinit-signed</c>: see
/// <see cref="InitialWeights"/>) or the mask (<c>random-prune</c>, <c>random-prune-global</c>, <c>shuffle</c>:
/// mask transforms in the pruning-strategy registry, registered under the control's name).
/// </summary>
public static class Controls
{
    /// <summary>Whether this run takes its masks from another run (a control or a ticket transfer).</summary>
    public static bool UsesSourceMasks(LotteryHparams hp) => hp.Control != Control.None || hp.TransferFrom.Length > 0;

    /// <summary>The run whose masks this run uses: the same hparams without the control, or initialized with the transfer scheme.</summary>
    public static LotteryHparams Source(LotteryHparams hp) =>
        hp.Control != Control.None
            ? hp with { Control = Control.None }
            : hp with { TransferFrom = "", Model = hp.Model with { Init = hp.TransferFrom } };

    /// <summary>Whether the control draws fresh initial weights.</summary>
    public static bool Reinitializes(Control c) => c is Control.Reinit or Control.ReinitSigned;

    /// <summary>The name of the mask transform a control applies to its source's masks, or null when it uses them as they are.</summary>
    public static string? MaskTransform(Control c) =>
        c is Control.RandomPrune or Control.RandomPruneGlobal or Control.Shuffle ? ChoiceText.Of(c) : null;
}
