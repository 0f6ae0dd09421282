using Lth.Data;
using Lth.Models;
using Lth.Pruning;
using TorchSharp;
using static TorchSharp.torch;

namespace Lth.Training;

/// <summary>
/// Trains every member of a model under its mask for the length in <see cref="TrainingHparams"/>.
/// The loss is the sum over members of each member's mean cross-entropy, so each member gets exactly
/// the gradient of its own loss (Adam and SGD are elementwise, so members stay independent).
/// Masked weights are exactly zero after every step: the weights, not the gradients, are
/// multiplied by the mask (zeroing gradients is not enough with Adam, and libtorch's sqrt is slow on zeros).
/// The data order of epoch e is a permutation drawn from a generator seeded by (seed, e), so it does
/// not depend on where a run was resumed.
/// </summary>
public sealed class Trainer
{
    private readonly TrainingHparams hp;
    private readonly DatasetSplits data;
    private readonly long seed;
    private readonly bool augment;

    /// <param name="hp">Optimizer, batch size, training length and evaluation interval.</param>
    /// <param name="data">Training, validation and test sets.</param>
    /// <param name="seed">The run seed: data order of epoch e from (seed, e), augmentation from (seed, iteration).</param>
    /// <param name="augment">Apply <see cref="Augmentation.CropAndFlip"/> to every training batch.</param>
    public Trainer(TrainingHparams hp, DatasetSplits data, long seed, bool augment = false)
    {
        this.augment = augment;
        this.hp = hp;
        this.data = data;
        this.seed = seed;
        if (hp.Batch <= 0) throw new ArgumentOutOfRangeException(nameof(hp), "batch must be positive");
        IterationsPerEpoch = (data.Train.Count + hp.Batch - 1) / hp.Batch;
        TotalIterations = Step.Parse(hp.Steps, "steps").ToIterations(IterationsPerEpoch);
        EvalEvery = Math.Max(1, Step.Parse(hp.EvalEvery, "eval-every").ToIterations(IterationsPerEpoch));
        Schedule = LrSchedule.Create(hp, IterationsPerEpoch, TotalIterations);
    }

    public long IterationsPerEpoch { get; }
    public long TotalIterations { get; }
    public long EvalEvery { get; }

    /// <summary>The learning rate of each iteration of a level (<c>--lr</c>, <c>--warmup</c>, <c>--lr-drops</c>, <c>--lr-gamma</c>).</summary>
    public LrSchedule Schedule { get; }

    /// <summary>
    /// Trains from iteration <paramref name="start"/> (0, or the rewind point) to the end with a fresh
    /// optimizer. The model's weights must already be the starting weights, masked. The learning rate of
    /// iteration <c>it</c> is <see cref="Schedule"/>'s at <c>it</c>, so a level started at k continues the schedule from k.
    /// </summary>
    /// <param name="model">The model, holding the starting weights (already masked).</param>
    /// <param name="mask">The mask applied after every step.</param>
    /// <param name="start">The first iteration (0, or the rewind point for later levels).</param>
    /// <param name="observer">Progress, snapshots and evaluations.</param>
    /// <param name="ct">Cancels between steps.</param>
    /// <param name="optimizer">An optimizer to continue (its state carried across levels); by default a fresh one.</param>
    /// <param name="dataOffset">Iterations of data order consumed before this level (0 restarts the order; <c>--data-order continuous</c> passes level × iterations per level).</param>
    public MemberResult[] Train(IModel model, Mask mask, long start = 0, ITrainingObserver? observer = null, CancellationToken ct = default,
                                IFlatOptimizer? optimizer = null, long dataOffset = 0)
    {
        int k = model.Layout.Members;
        var results = Enumerable.Range(0, k).Select(_ => new MemberResult()).ToArray();
        using var fresh = optimizer is null ? Optimizers.Create(hp, model.Layout.TotalSize, model.Device) : null;
        optimizer ??= fresh!;
        using var lossSum = zeros(k, dtype: ScalarType.Float64, device: model.Device);
        long lossCount = 0;
        using var order = new DataOrder(seed, data.Train.Count, data.Train.Labels.device);
        var step = new StepState(optimizer, mask);

        model.Training = true;
        model.UseMask(mask);   // the model may skip pruned weights; released in finally
        if (fresh is FusedAdam own) own.SkipPruned(mask.Flat);   // only a fresh optimizer may leave pruned moments behind
        using var pruned = optimizer is IMaskedStep ? null : mask.PrunedPositions();   // masked after every step, computed once
        step.Pruned = pruned;
        try
        {
            observer?.OnIteration(start, TotalIterations, model);
            Evaluate(model, results, start, lossSum, ref lossCount);
            observer?.OnEvaluated(start, TotalIterations, results);
            for (long it = start; it < TotalIterations; it++)
            {
                ct.ThrowIfCancellationRequested();
                using (var scope = NewDisposeScope())
                {
                    optimizer.Lr = Schedule.At(it);
                    var memberLoss = TrainStep(model, step, order, it, dataOffset + it);
                    if (memberLoss is not null) using (no_grad()) lossSum.add_(memberLoss.detach());
                    lossCount++;
                }
                long done = it + 1;
                observer?.OnIteration(done, TotalIterations, model);
                if (done % EvalEvery == 0 || done == TotalIterations)
                {
                    step.FlushLosses(lossSum);
                    Evaluate(model, results, done, lossSum, ref lossCount);
                    observer?.OnEvaluated(done, TotalIterations, results);
                    if (results.All(r => r.Diverged)) break;
                }
            }
        }
        finally
        {
            model.UseMask(null);
            if (step.Overwritten) model.FlatGrad.zero_();   // the survivors-only Adam pass leaves the rest of a written gradient
        }
        return results;
    }

    /// <summary>What carries from one step to the next: the optimizer, the mask, and whether the gradient is already zero.</summary>
    private sealed class StepState(IFlatOptimizer optimizer, Mask mask)
    {
        public IFlatOptimizer Optimizer { get; } = optimizer;
        public Mask Mask { get; } = mask;
        public Tensor? Pruned { get; set; }

        /// <summary>Whether a step wrote its gradient without autograd: what it left at pruned positions is cleared when the level ends.</summary>
        public bool Overwritten { get; set; }

        /// <summary>The members' losses summed over the steps the model ran itself, since the last evaluation.</summary>
        public double[] Losses { get; } = new double[mask.Layout.Members];

        /// <summary>Adds <see cref="Losses"/> into the trainer's loss sum and clears them.</summary>
        public void FlushLosses(Tensor lossSum)
        {
            if (!Overwritten) return;
            using (no_grad()) using (var t = tensor(Losses, device: lossSum.device)) lossSum.add_(t);
            Array.Clear(Losses);
        }
        public bool GradIsZero { get; set; }
    }

    /// <summary>
    /// The order of the training examples: a permutation per epoch drawn from (seed, epoch) on the CPU generator,
    /// used where the data is. Independent of where training started, so a rewound level sees the same batches.
    /// </summary>
    private sealed class DataOrder(long seed, long count, Device device) : IDisposable
    {
        private Tensor? perm;
        private long epoch = -1;

        public Tensor For(long e)
        {
            if (e == epoch) return perm!;
            perm?.Dispose();
            using var gen = new Generator(Seeds.ForDataOrder(seed, e));
            // Kept across steps, so outside the step's dispose scope (this is called inside it).
            perm = randperm(count, generator: gen).to(device).DetachFromDisposeScope();
            epoch = e;
            return perm;
        }

        public void Dispose() => perm?.Dispose();
    }

    /// <summary>
    /// One optimizer step on iteration <paramref name="it"/> with the batch at data position <paramref name="position"/>;
    /// returns each member's batch loss [K] (in the caller's dispose scope), or null when the model's own step
    /// (<see cref="IModel.TrainingStep"/>) ran and its losses went to <see cref="StepState.Losses"/>.
    /// </summary>
    private Tensor? TrainStep(IModel model, StepState s, DataOrder order, long it, long position)
    {
        var train = data.Train;
        long offset = (position % IterationsPerEpoch) * hp.Batch;
        int b = (int)Math.Min(hp.Batch, train.Count - offset);
        var perm = order.For(position / IterationsPerEpoch);
        if (!s.GradIsZero) model.FlatGrad.zero_();
        // Without augmentation the model may read the batch where it lies (no tensor is made for it); with it, the
        // augmented batch is offered. A model without its own step returns null and the step runs through autograd.
        float[]? own = augment ? null : model.TrainingStep(new BatchRows(train.Images, train.Labels, perm, offset, b));
        Tensor? memberLoss = null;
        if (own is null)
        {
            var idx = perm.narrow(0, offset, b);
            var x = Rows(train.Images, idx);
            if (augment)
            {
                // Each iteration's crops and flips come from (seed, iteration): independent of where training started.
                using var rng = new Generator(Seeds.For(seed, "augment-" + it.ToString(System.Globalization.CultureInfo.InvariantCulture)));
                x = Augmentation.CropAndFlip(x, rng);
            }
            var y = train.Labels.index_select(0, idx);
            if (augment) own = model.TrainingStep(new BatchRows(x, y, null, 0, b));
            if (own is null)
            {
                memberLoss = MemberLosses(model.Forward(x), y, model.Layout.Members, b);
                memberLoss.sum().backward();
                model.AfterBackward();
            }
        }
        if (own is not null)
        {
            s.Overwritten = true;
            for (int m = 0; m < own.Length; m++) s.Losses[m] += own[m];
        }
        if (s.Optimizer is FusedAdam adam)
        {
            adam.GradientOverwritten = own is not null;
            // Two threads pay for a cohort's buffer only (one LeNet-300-100 stepped at 0.86 s per 1,000 steps with them, 0.59 without, 2-core AMD EPYC).
            adam.Threads = own is not null && model.Layout.Members > 1 ? get_num_threads() : 1;
        }
        if (s.Optimizer is IMaskedStep fused)
        {
            fused.StepMasked(model.Flat, model.FlatGrad, s.Mask.Flat);   // update, mask and zero the gradient in one pass
            s.GradIsZero = true;
        }
        else
        {
            s.Optimizer.Step(model.Flat, model.FlatGrad);
            s.Mask.Apply(model.Flat, s.Pruned);
            s.GradIsZero = false;
        }
        return memberLoss;
    }

    /// <summary>
    /// <c>images.index_select(0, idx)</c>, copied row by row on this thread for a contiguous float CPU tensor: libtorch's
    /// index_select splits a batch this size across its OpenMP threads, which then spin while the rest of the step runs
    /// on the same cores (with LeNet's own backward on two threads, 3.47 against 2.71 ms per step of a cohort of 5, 2-core AMD EPYC).
    /// </summary>
    private static Tensor Rows(Tensor images, Tensor idx)
    {
        if (images.device_type != DeviceType.CPU || images.dtype != ScalarType.Float32 || !images.is_contiguous() || idx.dtype != ScalarType.Int64
            || images.numel() > int.MaxValue)
            return images.index_select(0, idx);
        long n = idx.shape[0], row = images.shape[0] == 0 ? 0 : images.numel() / images.shape[0];
        long[] shape = [.. images.shape];
        shape[0] = n;
        var x = empty(shape, ScalarType.Float32);
        using var index = idx.contiguous();
        var src = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(images.bytes);
        var dst = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, float>(x.bytes);
        var at = System.Runtime.InteropServices.MemoryMarshal.Cast<byte, long>(index.bytes);
        for (int r = 0; r < n; r++)
        {
            long i = at[r];
            if ((ulong)i >= (ulong)images.shape[0]) throw new IndexOutOfRangeException($"example {i} of {images.shape[0]}");
            src.Slice(checked((int)(i * row)), (int)row).CopyTo(dst.Slice((int)(r * row), (int)row));
        }
        return x;
    }

    /// <summary>Mean cross-entropy of each member over its batch: [K].</summary>
    private static Tensor MemberLosses(Tensor logits, Tensor y, int k, long b)
    {
        long classes = logits.shape[2];
        var target = k == 1 ? y : y.repeat(k);
        return nn.functional.cross_entropy(logits.reshape(k * b, classes), target, reduction: nn.Reduction.None)
                 .view(k, b).mean([1]);
    }

    private void Evaluate(IModel model, MemberResult[] results, long iteration, Tensor lossSum, ref long lossCount)
    {
        int k = results.Length;
        if (lossCount > 0)
        {
            var train = lossSum.cpu().data<double>().ToArray();
            for (int m = 0; m < k; m++) results[m].Metrics.Add(new EvalPoint(iteration, "train", train[m] / lossCount, null));
            lossSum.zero_();
            lossCount = 0;
        }
        foreach (var (split, set) in new[] { ("val", data.Validation), ("test", data.Test) })
        {
            if (set.Count == 0) continue;
            var (loss, acc) = Evaluation.Run(model, set);
            for (int m = 0; m < k; m++) results[m].Metrics.Add(new EvalPoint(iteration, split, loss[m], acc[m]));
        }
        for (int m = 0; m < k; m++)
        {
            var r = results[m];
            if (!r.Diverged && r.DivergesAt(iteration)) r.DivergedAt = iteration;
        }
    }
}
