using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Lth.Models;

/// <summary>ConvGradients' buffers: pinned arrays carved into aligned blocks, sized for the batch and reused across steps.</summary>
internal sealed unsafe partial class ConvGradients
{
    /// <summary>One thread's scratch: an im2col buffer (also the input gradient's), dZ and its transpose, the gradient passed down.</summary>
    private sealed class Scratch
    {
        public readonly float* Col, Dz, DzT, Dx;
        private readonly float[] arena;

        public Scratch(Conv[] convs)
        {
            long col = convs.Max(c => (long)c.Rows * c.Ld), dz = convs.Max(c => (long)c.Out * c.Ld);
            long dzT = convs.Max(c => (long)c.Pixels * DenseKernels.Padded(c.Out)), dx = convs.Max(c => (long)c.In * c.Pixels);
            arena = GC.AllocateArray<float>(checked((int)(16 * 5 + col + dz + dzT + dx)), pinned: true);
            float* a = DenseKernels.Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(arena)));
            Col = a; a = DenseKernels.Align(a + col);
            Dz = a; a = DenseKernels.Align(a + dz);
            DzT = a; a = DenseKernels.Align(a + dzT);
            Dx = a;
        }
    }

    /// <summary>The step's activations for the whole batch (the members run one after another), the head's buffers and the halves' gradient sums.</summary>
    private sealed class Activations
    {
        public readonly float*[] Y, Pooled;
        public readonly float* HeadInput, HeadInputT, HeadGradient, HeadGradientT;
        public readonly float*[][] WeightSums, BiasSums;   // [half][layer]
        public readonly nint[] Images;
        public readonly long* Labels;
        private readonly float[] arena;

        public Activations(Conv[] convs, int features, int b)
        {
            int bp = DenseKernels.Padded(b);
            long ldT = DenseKernels.Padded(features);
            var sizes = new List<long>();
            foreach (var c in convs) { sizes.Add((long)b * c.Out * c.Ld); sizes.Add(c.Pool ? (long)b * c.Out * c.PooledLd : 0); }
            sizes.AddRange([(long)features * bp, b * ldT, (long)features * bp, b * ldT]);
            for (int h = 0; h < 2; h++) foreach (var c in convs) { sizes.Add((long)c.Rows * c.Out); sizes.Add(c.Out); }
            sizes.Add(2L * b);   // the labels: longs, two floats' room each
            arena = GC.AllocateArray<float>(checked((int)(sizes.Sum() + 16L * (sizes.Count + 1))), pinned: true);
            float* a = DenseKernels.Align((float*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(arena)));
            int s = 0;
            float* Next() { float* p = a; a = DenseKernels.Align(a + sizes[s++]); return p; }
            Y = new float*[convs.Length];
            Pooled = new float*[convs.Length];
            for (int i = 0; i < convs.Length; i++) { Y[i] = Next(); Pooled[i] = Next(); }
            HeadInput = Next(); HeadInputT = Next(); HeadGradient = Next(); HeadGradientT = Next();
            WeightSums = new float*[2][];
            BiasSums = new float*[2][];
            for (int h = 0; h < 2; h++)
            {
                WeightSums[h] = new float*[convs.Length];
                BiasSums[h] = new float*[convs.Length];
                for (int i = 0; i < convs.Length; i++) { WeightSums[h][i] = Next(); BiasSums[h][i] = Next(); }
            }
            Labels = (long*)Next();
            Images = new nint[b];
        }
    }

    private Scratch[] scratch = [];
    private Activations act = null!;   // sized for act.Images.Length images

    private void Reserve(int b, int workers)
    {
        if (scratch.Length < workers) scratch = [.. scratch, .. Enumerable.Range(0, workers - scratch.Length).Select(_ => new Scratch(convs))];
        head.ReserveScratch(DenseKernels.Padded(b), 1);
        if (act is null || b > act.Images.Length) act = new Activations(convs, features, b);
    }
}
