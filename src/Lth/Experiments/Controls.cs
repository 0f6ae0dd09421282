namespace Lth.Experiments;

/// <summary>
/// The control branches of a lottery experiment (Frankle &amp; Carbin 2019; Zhou et al. 2019;
/// Frankle et al. 2021). A control run takes each level's mask from the same run without control
/// (its "source"), then changes the weights or the mask:
/// <list type="bullet">
/// <item><c>reinit</c>: the winning mask, fresh weights from the same scheme (a new draw).</item>
/// <item><c>reinit-signed</c>: the winning mask, fresh magnitudes with the original signs.</item>
/// <item><c>random-prune</c>: a random mask with the winning mask's per-layer counts, original weights.</item>
/// <item><c>random-prune-global</c>: a random mask with the winning mask's total count spread over all prunable tensors.</item>
/// <item><c>shuffle</c>: the winning mask permuted within each layer, original weights.</item>
/// </list>
/// </summary>
public static class Controls
{
    public static readonly string[] Names = ["none", "reinit", "reinit-signed", "random-prune", "random-prune-global", "shuffle"];

    /// <summary>Whether this run takes its masks from another run (a control or a ticket transfer).</summary>
    public static bool UsesSourceMasks(LotteryHparams hp) => hp.Control != "none" || hp.TransferFrom.Length > 0;

    /// <summary>The run whose masks this run uses: the same hparams without the control, or initialized with the transfer scheme.</summary>
    public static LotteryHparams Source(LotteryHparams hp) =>
        hp.Control != "none"
            ? hp with { Control = "none" }
            : hp with { TransferFrom = "", Model = hp.Model with { Init = hp.TransferFrom } };
}
