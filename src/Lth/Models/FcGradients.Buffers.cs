using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using static TorchSharp.torch;

namespace Lth.Models;

/// <summary>FcGradients' buffers: pinned arrays carved into aligned blocks, sized for the padded batch and reused across steps.</summary>
internal sealed unsafe partial class FcGradients
{
    /// <summary>One thread's scratch, carved out of one pinned array (never moved): each layer's output and its transpose, two gradient buffers.</summary>
    private sealed class Buffers
    {
        public readonly float*[] Activations, ActivationsT, Delta;
        private readonly float[] arena;

        public Buffers(Layer[] layers, int bp, int maxFeatures)
        {
            long need = 16 + 2L * maxFeatures * bp;
            foreach (var l in layers) need += (long)l.Out * bp + (long)bp * DenseKernels.Padded(l.Out);
            arena = GC.AllocateArray<float>(checked((int)need), pinned: true);
            float* a = DenseKernels.Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(arena)));
            Activations = new float*[layers.Length];
            ActivationsT = new float*[layers.Length];
            for (int i = 0; i < layers.Length; i++)
            {
                Activations[i] = a; a += (long)layers[i].Out * bp;
                ActivationsT[i] = a; a += (long)bp * DenseKernels.Padded(layers[i].Out);
            }
            Delta = [a, a + (long)maxFeatures * bp];
        }
    }

    private float[] shared = [];        // pinned: the input both ways, and the batch's labels
    private float* input, inputT;
    private long* batchLabels;
    private Buffers[] scratch = [];     // per thread
    private int capacity, inputCapacity;   // the padded batch the scratch and the input buffers are sized for

    /// <summary>Sizes every thread's scratch for a padded batch of <paramref name="bp"/> and <paramref name="workers"/> threads (not thread-safe: before the threads start).</summary>
    internal void ReserveScratch(int bp, int workers)
    {
        if (bp <= capacity && scratch.Length >= workers) return;
        bp = Math.Max(bp, capacity);
        scratch = Enumerable.Range(0, Math.Max(workers, scratch.Length)).Select(_ => new Buffers(layers, bp, maxFeatures)).ToArray();
        capacity = bp;
    }

    private void Reserve(int bp, int workers)
    {
        ReserveScratch(bp, workers);
        if (bp <= inputCapacity) return;
        bp = Math.Max(bp, capacity);
        int in0 = layers[0].In;
        shared = GC.AllocateArray<float>(checked((int)(16 + (long)in0 * bp + (long)bp * DenseKernels.Padded(in0) + 2L * bp)), pinned: true);
        input = DenseKernels.Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(shared)));
        inputT = input + (long)in0 * bp;
        batchLabels = (long*)(inputT + (long)bp * DenseKernels.Padded(in0));
        inputCapacity = bp;
    }
}
