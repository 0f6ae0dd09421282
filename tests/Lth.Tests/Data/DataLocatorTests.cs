using System.Net;
using Lth.Data;
using Xunit.Abstractions;
using static Lth.Tests.Data.DataFiles;

namespace Lth.Tests.Data;

public class DataLocatorTests(ITestOutputHelper output)
{
    /// <summary>Explicit, env, cache and system roots in one temp folder, each holding a complete mnist.</summary>
    sealed class Roots : IDisposable
    {
        public TempDir Tmp { get; } = new();
        public string Explicit => Path.Combine(Tmp.Path, "explicit");
        public string Env => Path.Combine(Tmp.Path, "env");
        public string Cache => Path.Combine(Tmp.Path, "cache");
        public string System => Path.Combine(Tmp.Path, "system");

        /// <param name="named">0: neither --data nor LTH_DATA; 1: LTH_DATA; 2: both.</param>
        public DataLocation Location(HttpMessageHandler? handler = null, bool download = false, int named = 0) => new()
        {
            ExplicitDir = named >= 2 ? Explicit : null, EnvironmentDir = named >= 1 ? Env : null, CacheRoot = Cache, SystemRoots = [System],
            AllowDownload = download, HttpHandler = handler,
        };

        public void Dispose() => Tmp.Dispose();
    }

    [Fact]
    public void ANamedFolderIsTheOnlyPlaceSearchedElseCacheThenSystem()
    {
        using var r = new Roots();
        foreach (var root in new[] { r.Explicit, r.Env, r.Cache, r.System })
            WriteIdxSet(Path.Combine(root, "mnist"), MakeIdxSet());
        foreach (var (named, root, origin) in new[] { (2, r.Explicit, "--data"), (1, r.Env, "LTH_DATA") })
        {
            var found = new DataLocator(r.Location(named: named)).Locate("mnist");
            Assert.Equal((Path.Combine(root, "mnist"), origin), (found.Path, found.Origin));
        }
        var plain = new DataLocator(r.Location());
        foreach (var (root, origin) in new[] { (r.Cache, "cache"), (r.System, "system") })
        {
            var found = plain.Locate("mnist");
            Assert.Equal((Path.Combine(root, "mnist"), origin), (found.Path, found.Origin));
            Directory.Delete(Path.Combine(root, "mnist"), recursive: true);
        }
        Assert.Throws<DataException>(() => plain.Locate("mnist"));
    }

    [Fact]
    public void ANamedFolderThatLacksTheDataIsAnErrorNamingWhatIsMissingNeverAFallback()
    {
        using var r = new Roots();
        WriteIdxSet(Path.Combine(r.Cache, "mnist"), MakeIdxSet());
        WriteIdxSet(Path.Combine(r.System, "mnist"), MakeIdxSet());
        var partial = Path.Combine(r.Explicit, "mnist");
        WriteIdxSet(partial, MakeIdxSet());
        File.Delete(Path.Combine(partial, "t10k-labels-idx1-ubyte.gz"));
        using var handler = new FakeHandler(new Dictionary<string, byte[]>());
        var e = Assert.Throws<DataException>(() => new DataLocator(r.Location(handler, download: true, named: 2)).Locate("mnist"));
        Assert.StartsWith($"--data {r.Explicit}: no usable mnist there (", e.Message);
        Assert.Contains($"{partial}: missing t10k-labels-idx1-ubyte.gz", e.Message);
        Assert.DoesNotContain('\n', e.Message);
        Assert.Empty(handler.Requests);   // nothing downloaded either

        // LTH_DATA alike; a folder that does not exist says so.
        var env = Assert.Throws<DataException>(() => new DataLocator(r.Location(named: 1)).Locate("mnist"));
        Assert.StartsWith($"LTH_DATA {r.Env}: no usable mnist there ({Path.Combine(r.Env, "mnist")}: no such folder", env.Message);
    }

    [Fact]
    public void ExplicitAndEnvMayBeTheDatasetFolderItself()
    {
        using var r = new Roots();
        WriteIdxSet(r.Explicit, MakeIdxSet(), gzip: false);
        var found = new DataLocator(r.Location(named: 2)).Locate("kmnist");
        Assert.Equal((r.Explicit, "--data"), (found.Path, found.Origin));

        // LTH_DATA pointing straight at files counts only when the folder is named for the dataset.
        var envData = Path.Combine(r.Tmp.Path, "other", "Fashion_MNIST");
        WriteIdxSet(envData, MakeIdxSet());
        var loc = r.Location() with { ExplicitDir = null, EnvironmentDir = envData };
        var fromEnv = new DataLocator(loc).Locate("fashion-mnist");
        Assert.Equal((envData, "LTH_DATA"), (fromEnv.Path, fromEnv.Origin));
        Assert.Null(new DataLocator(loc).Find("mnist", out _));
    }

    [Fact]
    public void MissingDataMessageListsEveryPlaceAndHowToInstall()
    {
        using var r = new Roots();
        var e = Assert.Throws<DataException>(() => new DataLocator(r.Location()).Locate("fashion-mnist"));
        var m = e.Message;
        output.WriteLine(m);
        Assert.DoesNotContain('\n', m);
        foreach (var place in new[] { Path.Combine(r.Cache, "fashion-mnist"), Path.Combine(r.System, "fashion-mnist") })
            Assert.Contains(place, m);
        Assert.Contains("apt-get install -y dataset-fashion-mnist", m);
        Assert.Contains("--data DIR", m);
        Assert.Contains("train-images-idx3-ubyte.gz", m);
        Assert.Contains("Downloading is disabled", m);
    }

    [Fact]
    public void FailedDownloadIsReportedInTheMessage()
    {
        using var r = new Roots();
        using var handler = new FakeHandler(new Dictionary<string, byte[]>());
        var e = Assert.Throws<DataException>(() => new DataLocator(r.Location(handler, download: true)).Locate("cifar10"));
        Assert.Contains("Download failed", e.Message);
        Assert.Contains("https://www.cs.toronto.edu/~kriz/cifar-10-binary.tar.gz: HTTP 404", e.Message);
        Assert.Contains(Path.Combine(r.Cache, "cifar10"), e.Message);
        Assert.Empty(Directory.EnumerateFiles(r.Cache, "*", SearchOption.AllDirectories));
    }

    [Fact]
    public void DownloaderPutsVerifiedFileInPlace()
    {
        using var tmp = new TempDir();
        var bytes = RandomBytes(100_000, 5);
        var file = new RemoteFile("blob.gz", bytes.Length, Sha256(bytes));
        using var handler = new FakeHandler(new() { ["https://b.example/d/blob.gz"] = bytes });
        using var downloader = new FileDownloader(handler);
        var path = downloader.Download(file, [new Uri("https://a.example/d/"), new Uri("https://b.example/d/")], tmp.Path);
        Assert.Equal(Path.Combine(tmp.Path, "blob.gz"), path);
        Assert.Equal(bytes, File.ReadAllBytes(path));
        Assert.Single(Directory.EnumerateFileSystemEntries(tmp.Path));
        Assert.Equal(["https://a.example/d/blob.gz", "https://b.example/d/blob.gz"], handler.Requests);
    }

    [Theory]
    [InlineData("hash")]
    [InlineData("size")]
    public void DownloaderRejectsWrongBytesAndLeavesNothing(string wrong)
    {
        using var tmp = new TempDir();
        var bytes = RandomBytes(5000, 6);
        var served = wrong == "size" ? bytes[..^1] : [.. bytes[..^1], (byte)(bytes[^1] ^ 1)];
        var file = new RemoteFile("blob.gz", bytes.Length, Sha256(bytes));
        using var handler = new FakeHandler(new() { ["https://a.example/blob.gz"] = served });
        using var downloader = new FileDownloader(handler);
        var e = Assert.Throws<DataException>(() => downloader.Download(file, [new Uri("https://a.example/")], tmp.Path));
        Assert.Contains("blob.gz", e.Message);
        Assert.Contains(wrong == "size" ? "expected 5000" : "SHA-256 mismatch", e.Message);
        Assert.Empty(Directory.EnumerateFileSystemEntries(tmp.Path));
    }

    [Fact]
    public void LocatorDownloadsIntoCacheAndLoads()
    {
        using var r = new Roots();
        var set = MakeIdxSet(train: 20, test: 6);
        var files = IdxFiles(set);
        var source = DatasetSources.Mnist with
        {
            Files = [.. DatasetSources.Mnist.Files.Select(f => new RemoteFile(f.Name, files[f.Name].Length, Sha256(files[f.Name])))],
            Mirrors = [new Uri("https://mirror.example/mnist/")],
        };
        using var handler = new FakeHandler(files.ToDictionary(kv => "https://mirror.example/mnist/" + kv.Key, kv => kv.Value));
        var locator = new DataLocator(r.Location(handler, download: true), new Dictionary<string, DatasetSource> { ["mnist"] = source });
        var found = locator.Locate("mnist");
        Assert.Equal((Path.Combine(r.Cache, "mnist"), "download"), (found.Path, found.Origin));
        using var raw = DatasetCatalog.Read(found);
        Assert.Equal(set.TrainPixels, raw.Train.Images.data<byte>().ToArray());
        Assert.Equal(6, raw.Test.Count);
        // What was read is recorded: each file's path and SHA-256 (summary.json's data_files).
        Assert.Equal(files.Keys.Select(n => Path.Combine(r.Cache, "mnist", n)).Order(), raw.Files.Keys.Order());
        foreach (var (name, bytes) in files) Assert.Equal(Sha256(bytes), raw.Files[Path.Combine(r.Cache, "mnist", name)]);
        Assert.Equal(4, handler.Requests.Count);
        Assert.Equal("cache", locator.Locate("mnist").Origin);
        Assert.Equal(4, handler.Requests.Count);
    }

    [Fact]
    public void ListReportsWhereEachDatasetIs()
    {
        using var r = new Roots();
        WriteIdxSet(Path.Combine(r.System, "fashion-mnist"), MakeIdxSet());
        WriteCifarFolder(Path.Combine(r.Cache, "cifar10", "cifar-10-batches-bin"), CifarFiles());
        var infos = DatasetCatalog.List(r.Location()).ToDictionary(i => i.Name);
        Assert.Equal(["mnist", "fashion-mnist", "kmnist", "cifar10", "synthetic"], infos.Keys);
        Assert.Equal((true, Path.Combine(r.System, "fashion-mnist"), "system"), (infos["fashion-mnist"].Available, infos["fashion-mnist"].Path, infos["fashion-mnist"].Origin));
        Assert.Equal((true, Path.Combine(r.Cache, "cifar10", "cifar-10-batches-bin"), "cache"), (infos["cifar10"].Available, infos["cifar10"].Path, infos["cifar10"].Origin));
        Assert.False(infos["mnist"].Available);
        Assert.Contains(infos["mnist"].Searched, p => p.Path == Path.Combine(r.System, "mnist") && p.Problem == "no such folder");
        Assert.True(infos["synthetic"].Available);
        Assert.Equal(DatasetCatalog.Names, infos.Keys);
    }

    [Fact]
    public void UnknownDatasetIsAnArgumentError()
    {
        var e = Assert.Throws<HparamsException>(() => new DataLocator(new DataLocation()).Locate("imagenet"));
        Assert.Contains("fashion-mnist", e.Message);
    }
}

/// <summary>Serves fixed bytes by URL, 404 otherwise, and records the requests.</summary>
public sealed class FakeHandler(Dictionary<string, byte[]> content) : HttpMessageHandler
{
    public List<string> Requests { get; } = [];

    protected override Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken ct)
    {
        var url = request.RequestUri!.ToString();
        lock (Requests) Requests.Add(url);
        return Task.FromResult(content.TryGetValue(url, out var bytes)
            ? new HttpResponseMessage(HttpStatusCode.OK) { Content = new ByteArrayContent(bytes) }
            : new HttpResponseMessage(HttpStatusCode.NotFound) { ReasonPhrase = "Not Found" });
    }
}
