using Lth.Models;
using static TorchSharp.torch;

namespace Lth.Pruning;

/// <summary>
/// GraSP (Wang et al. 2020), gradient signal preservation. GraSP's importance is S = −w ⊙ (H g), with g the gradient
/// of the cross-entropy loss and H its Hessian, both with respect to θ, the tensors being pruned (those with a
/// non-zero rate, as in the authors' code, which takes the weights of the prunable layers); GraSP removes the
/// weights with the LARGEST S (removing them reduces the gradient norm least, or increases it). Here the score is
/// w ⊙ (H g) = −S and, as in every <see cref="ScorePruning"/>, the LOWEST score is removed: the same weights.
/// Scores are signed, so pruned entries rank at −∞.
/// <para>
/// The sample is the paper's: 10 examples per class, drawn from <see cref="PruningContext.Batches"/> in batches
/// of 10 × classes, an example kept while its class has fewer than 10, until every class has 10 or 100 batches
/// were drawn (then the sample is what was gathered). The loss is the mean cross-entropy over the sample of the logits
/// divided by the temperature T (<c>--grasp-temperature</c>, default 200 as in the authors' code: it keeps the
/// softmax away from saturation, where g and H g vanish for the confidently classified examples), batch norm in training mode, weights masked by
/// the mask in force. H g is a double backward: g = ∂L/∂θ with <c>create_graph</c>, then the gradient of
/// Σ g · stopgrad(g). All members are scored in one pass (per-member losses summed; Hessian blocks between
/// members are zero). Registered as <c>grasp</c>; refuses to run without data.
/// </para>
/// </summary>
public sealed class GraspPruning : ScorePruning
{
    /// <summary>Examples per class in GraSP's sample.</summary>
    public const int PerClass = 10;

    /// <summary>Batches drawn at most while gathering the sample.</summary>
    public const int MaxDraws = 100;

    protected override float PrunedScore => float.NegativeInfinity;

    protected override Tensor? ScoreNetwork(PruningContext context)
    {
        var batches = context.Batches ?? throw new HparamsException("--strategy grasp: needs training data");
        var model = context.Model;
        using var scope = NewDisposeScope();
        var (x, y) = Sample(batches, ScoringState.Classes(model.Layout), PerClass);
        var theta = Groups(model.Layout, context.Hparams).SelectMany(g => g.Params).Select(p => model.Parameter(p.Name)).ToList();
        using (var state = new ScoringState(model, context.Current, training: true))
        using (enable_grad())
        {
            var loss = ScoringState.Loss(model.Forward(x).div(context.Hparams.GraspTemperature), y);
            var g = autograd.grad([loss], theta, retain_graph: true, create_graph: true);
            var z = g.Select(t => t.mul(t.detach()).sum()).Aggregate((a, b) => a.add(b));
            z.backward();                 // accumulates H g into the leaves' gradients, views of FlatGrad
            model.AfterBackward();
            using var _ = no_grad();
            return model.Flat.mul(model.FlatGrad).MoveToOuterDisposeScope();
        }
    }

    /// <summary>
    /// <paramref name="perClass"/> examples of each of <paramref name="classes"/> classes, in the order drawn: batches of
    /// perClass × classes are drawn and an example is kept while its class is short, for at most <see cref="MaxDraws"/> batches.
    /// </summary>
    public static (Tensor Images, Tensor Labels) Sample(BatchSource batches, int classes, int perClass)
    {
        var counts = new int[classes];
        var xs = new List<Tensor>();
        var ys = new List<Tensor>();
        for (int draw = 0; draw < MaxDraws && counts.Any(c => c < perClass); draw++)
        {
            var (x, y) = batches(perClass * classes);
            var labels = y.cpu().to_type(ScalarType.Int64).data<long>().ToArray();
            var take = new List<long>();
            for (int i = 0; i < labels.Length; i++)
            {
                long c = labels[i];
                if (c >= 0 && c < classes && counts[c] < perClass) { counts[c]++; take.Add(i); }
            }
            if (take.Count == 0) continue;
            var idx = tensor(take.ToArray(), device: y.device);
            xs.Add(x.index_select(0, idx));
            ys.Add(y.index_select(0, idx));
        }
        if (xs.Count == 0) throw new InvalidOperationException("grasp: the training batches hold no labelled example");
        return (cat(xs, 0), cat(ys, 0));
    }
}
