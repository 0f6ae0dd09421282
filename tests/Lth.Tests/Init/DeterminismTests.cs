using Lth.Init;
using Lth.Tests.Support;
using TorchSharp;
using static Lth.Tests.Init.Sampling;
using static TorchSharp.torch;

namespace Lth.Tests.Init;

/// <summary>Draws come only from the given generator, and Apply fills the tensor it is given in place.</summary>
[Collection(ThreadsCollection.Name)]
public class DeterminismTests
{
    public static TheoryData<string> Names()
    {
        var data = new TheoryData<string>();
        foreach (string name in Initializers.Names) data.Add(name);
        data.Add("trunc-normal:a=-1,b=3,mean=0.5,std=0.1");
        return data;
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Same_seed_gives_identical_bits_and_different_seeds_differ(string spec)
    {
        var scheme = Initializers.Parse(spec);
        foreach (long[] shape in new[] { Linear, Conv })
        {
            using var a = Draw(scheme, shape, 17);
            torch.manual_seed(999);                // the global generator must not matter
            using var b = Draw(scheme, shape, 17);
            using var c = Draw(scheme, shape, 18);
            Assert.True(Identical(a, b), $"{spec}: same seed, different bits");
            if (spec != "constant") Assert.False(Identical(a, c), $"{spec}: different seeds, same tensor");
        }
    }

    /// <summary>
    /// A draw does not depend on libtorch's thread count, on a tensor as large as LeNet-300-100's first layer. Except
    /// <c>orthogonal</c>: its QR factorization runs in LAPACK, whose blocking follows the thread count (212,517 of 235,200
    /// values differed between 1 and 2 threads), so an orthogonal init is reproducible at a fixed thread count only.
    /// </summary>
    public static TheoryData<string> NamesButOrthogonal()
    {
        var data = new TheoryData<string>();
        foreach (string name in Initializers.Names.Where(n => n != "orthogonal")) data.Add(name);
        return data;
    }

    [Theory]
    [MemberData(nameof(NamesButOrthogonal))]
    public void The_thread_count_does_not_change_a_draw(string spec)
    {
        var scheme = Initializers.Parse(spec);
        int before = get_num_threads();
        try
        {
            foreach (long[] shape in new long[][] { [300, 784], [256, 12544] })   // LeNet's fc1; Conv-2's fc1 on 28 × 28 (3.2 million)
            {
                set_num_threads(1);
                using var one = Draw(scheme, shape, 5);
                set_num_threads(2);
                using var two = Draw(scheme, shape, 5);
                Assert.True(Identical(one, two), $"{spec} {string.Join("×", shape)}: {one.ne(two).sum().item<long>()} of {one.numel()} values differ between 1 and 2 threads");
            }
        }
        finally { set_num_threads(before); }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Apply_on_a_view_of_a_bigger_buffer_fills_only_that_view(string spec)
    {
        var scheme = Initializers.Parse(spec);
        foreach (long[] shape in new[] { Linear, Conv })
        {
            using var buffer = torch.full([3, .. shape], 7.0f);
            using var member = buffer[1];
            Assert.Equal(shape, member.shape);
            using (var g = new Generator(33)) scheme.Apply(member, g);
            using var alone = Draw(scheme, shape, 33);
            Assert.True(Identical(buffer[1], alone), $"{spec}: the view did not get the standalone draw");
            Assert.True(buffer[0].eq(7.0f).all().item<bool>(), $"{spec}: member 0 changed");
            Assert.True(buffer[2].eq(7.0f).all().item<bool>(), $"{spec}: member 2 changed");
        }
    }

    [Theory]
    [MemberData(nameof(Names))]
    public void Apply_works_on_a_parameter_that_requires_grad(string spec)
    {
        var scheme = Initializers.Parse(spec);
        using var p = new TorchSharp.Modules.Parameter(torch.zeros(Conv));
        using (var g = new Generator(2)) scheme.Apply(p, g);
        Assert.True(p.requires_grad);
        using var alone = Draw(scheme, Conv, 2);
        Assert.True(Identical(p.detach(), alone));
    }

    [Fact]
    public void Successive_draws_from_one_generator_differ()
    {
        var scheme = Initializers.Parse("xavier-normal");
        using var g = new Generator(5);
        using var a = torch.empty(Linear);
        using var b = torch.empty(Linear);
        scheme.Apply(a, g);
        scheme.Apply(b, g);
        Assert.False(Identical(a, b));
    }
}
