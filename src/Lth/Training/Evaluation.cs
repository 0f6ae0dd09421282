using Lth.Data;
using Lth.Models;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Training;

/// <summary>Loss and accuracy of every member on a whole split, without autograd, in batches of the model's <see cref="IModel.EvalBatch"/>.</summary>
public static class Evaluation
{
    /// <returns>Mean cross-entropy and accuracy per member.</returns>
    public static (double[] Loss, double[] Accuracy) Run(IModel model, Dataset set)
    {
        int k = model.Layout.Members;
        bool wasTraining = model.Training;
        model.Training = false;
        try { return RunEval(model, set, k); }
        finally { model.Training = wasTraining; }
    }

    private static (double[] Loss, double[] Accuracy) RunEval(IModel model, Dataset set, int k)
    {
        using var _ = no_grad();
        using var scope = NewDisposeScope();
        var lossSum = zeros(k, dtype: ScalarType.Float64, device: model.Device);
        var correct = zeros(k, dtype: ScalarType.Int64, device: model.Device);
        long n = set.Count;
        for (long s = 0; s < n; s += model.EvalBatch)
        {
            using var inner = NewDisposeScope();
            long b = Math.Min(model.EvalBatch, n - s);
            var x = set.Images.narrow(0, s, b);
            var y = set.Labels.narrow(0, s, b);
            var logits = model.Forward(x);                      // [K, b, C]
            var target = k == 1 ? y : y.repeat(k);
            var ce = nn.functional.cross_entropy(logits.reshape(k * b, logits.shape[2]), target, reduction: nn.Reduction.None).view(k, b);
            lossSum.add_(ce.sum([1]).to(ScalarType.Float64));
            correct.add_(logits.argmax(2).eq(y.unsqueeze(0)).sum([1]));
        }
        var loss = lossSum.cpu().data<double>().Select(v => v / n).ToArray();
        var acc = correct.cpu().data<long>().Select(c => c / (double)n).ToArray();
        return (loss, acc);
    }
}
