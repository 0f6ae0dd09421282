using Lth.Init;

namespace Lth.Tests.Init;

public class SpecTests
{
    public static TheoryData<string> AllSpecs()
    {
        var data = new TheoryData<string>();
        foreach (string s in SchemeDistributionTests.AllSpecs) data.Add(s);
        return data;
    }

    [Theory]
    [MemberData(nameof(AllSpecs))]
    public void Spec_round_trips(string spec)
    {
        var x = Initializers.Parse(spec);
        Assert.Equal(x.Spec, Initializers.Parse(x.Spec).Spec);
        Assert.Equal(x.Spec, x.ToString());
    }

    [Theory]
    [InlineData("xavier-uniform-half", "xavier-uniform:gain=0.5")]
    [InlineData("xavier-uniform-double", "xavier-uniform:gain=2")]
    [InlineData("xavier-normal-half", "xavier-normal:gain=0.5")]
    [InlineData("xavier-normal-double", "xavier-normal:gain=2")]
    [InlineData("xavier-normal:gain=1", "xavier-normal")]
    [InlineData("  Kaiming-Normal : nonlinearity=tanh , mode=fan_out ", "kaiming-normal:mode=fan_out,nonlinearity=tanh")]
    [InlineData("kaiming-uniform:nonlinearity=leaky_relu,a=0.2", "kaiming-uniform:a=0.2,nonlinearity=leaky_relu")]
    [InlineData("kaiming-uniform:nonlinearity=relu,mode=fan_in,a=0", "kaiming-uniform")]
    [InlineData("uniform:low=0,high=1", "uniform")]
    [InlineData("uniform:high=2e-1,low=-0.2", "uniform:high=0.2,low=-0.2")]
    [InlineData("trunc-normal:b=2,a=-2,mean=0", "trunc-normal")]
    [InlineData("trunc-normal:std=0.02", "trunc-normal:std=0.02")]
    [InlineData("normal:std=1,mean=0", "normal")]
    [InlineData("constant:value=0", "constant")]
    [InlineData("torch-default:gain=1.0", "torch-default")]
    public void Canonical_spec(string spec, string canonical) =>
        Assert.Equal(canonical, Initializers.Parse(spec).Spec);

    [Fact]
    public void Aliases_are_the_same_scheme_as_their_expansion()
    {
        var half = Initializers.Parse("xavier-normal-half");
        var explicitHalf = Initializers.Parse("xavier-normal:gain=0.5");
        Assert.Equal(explicitHalf.Describe(new Fans(784, 300)), half.Describe(new Fans(784, 300)));
        Assert.Equal(0.5 * Math.Sqrt(2.0 / 1084), half.Describe(new Fans(784, 300)).Std, 15);
    }

    [Fact]
    public void Names_include_every_scheme_and_alias_with_a_one_line_description()
    {
        string[] expected =
        [
            "xavier-uniform", "xavier-normal", "kaiming-uniform", "kaiming-normal", "lecun-uniform", "lecun-normal",
            "orthogonal", "trunc-normal", "uniform", "normal", "constant", "signed-constant", "torch-default",
            "xavier-uniform-half", "xavier-uniform-double", "xavier-normal-half", "xavier-normal-double",
        ];
        Assert.Equal(expected.Order(), Initializers.Names.Order());
        foreach (string name in Initializers.Names)
        {
            string description = Initializers.Descriptions[name];
            Assert.False(string.IsNullOrWhiteSpace(description));
            Assert.DoesNotContain('\n', description);
            Initializers.Parse(name);
        }
    }

    [Theory]
    [InlineData("xavier-normall", "'xavier-normall'", "did you mean 'xavier-normal'")]
    [InlineData("glorot", "'glorot'", "known: xavier-uniform")]
    [InlineData("xavier-normal:gian=2", "'gian'", "'xavier-normal'")]
    [InlineData("kaiming-normal:slope=0.1", "'slope'", "allowed: a, gain, mode, nonlinearity")]
    [InlineData("xavier-normal:gain=abc", "gain='abc'", "not a finite number")]
    [InlineData("normal:mean=nan", "mean='nan'", "not a finite number")]
    [InlineData("xavier-normal:gain=0", "gain", "> 0")]
    [InlineData("kaiming-uniform:gain=-1", "gain", "-1")]
    [InlineData("uniform:low=1,high=0", "low=1", "high=0")]
    [InlineData("uniform:low=1,high=1", "low=1", "high=1")]
    [InlineData("normal:std=0", "std", "> 0")]
    [InlineData("normal:std=-0.5", "std", "-0.5")]
    [InlineData("trunc-normal:std=0", "std", "> 0")]
    [InlineData("trunc-normal:a=2,b=-2", "a=2", "b=-2")]
    [InlineData("trunc-normal:a=20,b=30", "a=20", "probability")]
    [InlineData("kaiming-normal:mode=fan_avg", "mode='fan_avg'", "fan_in, fan_out")]
    [InlineData("kaiming-normal:nonlinearity=gelu", "nonlinearity='gelu'", "leaky_relu")]
    [InlineData("kaiming-normal:a=0.1", "a=0.1", "nonlinearity=leaky_relu")]
    [InlineData("xavier-normal-half:gain=2", "'xavier-normal-half'", "'gain'")]
    [InlineData("xavier-normal:gain", "'gain'", "key=value")]
    [InlineData("xavier-normal:gain=", "'gain'", "no value")]
    [InlineData("xavier-normal:=2", "'=2'", "no key")]
    [InlineData("xavier-normal:gain=1,gain=2", "'gain'", "twice")]
    [InlineData("xavier-normal:", "'xavier-normal'", "empty parameter list")]
    [InlineData(":gain=2", "':gain=2'", "no scheme name")]
    [InlineData("   ", "empty", "scheme name")]
    public void Bad_specs_throw_InitSpecException_naming_the_bad_part(string spec, string part1, string part2)
    {
        var e = Assert.Throws<InitSpecException>(() => Initializers.Parse(spec));
        Assert.IsAssignableFrom<ArgumentException>(e);
        Assert.Contains(part1, e.Message);
        Assert.Contains(part2, e.Message);
        Assert.DoesNotContain('\n', e.Message);
    }

    [Fact]
    public void Constructors_validate_like_the_parser()
    {
        Assert.Throws<InitSpecException>(() => new XavierInitializer(false, gain: 0));
        Assert.Throws<InitSpecException>(() => new UniformInitializer(1, 0));
        Assert.Throws<InitSpecException>(() => new NormalInitializer(std: 0));
        Assert.Throws<InitSpecException>(() => new TruncatedNormalInitializer(std: -1));
        Assert.Throws<InitSpecException>(() => new KaimingInitializer(true, negativeSlope: 0.1));
        Assert.Throws<InitSpecException>(() => new ConstantInitializer(double.NaN));
    }
}
