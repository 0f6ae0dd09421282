using System.Diagnostics;

namespace Lth.Tests.Support;

/// <summary>Headless Chromium (Debian's <c>chromium</c> package, installed by setup.sh) for page checks.</summary>
public static class Chromium
{
    public static string Find()
    {
        foreach (var name in new[] { "chromium", "chromium-browser", "google-chrome" })
            foreach (var dir in (Environment.GetEnvironmentVariable("PATH") ?? "").Split(':', StringSplitOptions.RemoveEmptyEntries))
            {
                var p = Path.Combine(dir, name);
                if (File.Exists(p)) return p;
            }
        Assert.Fail("chromium is not installed, so report.html cannot be checked: run ./setup.sh (it runs apt-get install -y chromium)");
        return "";
    }

    /// <summary>Runs headless Chromium on <paramref name="url"/> with a phone-sized window and the given mode flag; returns stdout.</summary>
    public static string Run(string url, string mode, int width = 390, int height = 2000)
    {
        var profile = Directory.CreateTempSubdirectory("lth-chromium-");
        try
        {
            var psi = new ProcessStartInfo(Find()) { RedirectStandardOutput = true, RedirectStandardError = true };
            foreach (var a in new[]
            {
                "--headless", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--disable-background-networking",
                "--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars", "--virtual-time-budget=10000",
                "--allow-file-access-from-files",
                $"--user-data-dir={profile.FullName}", $"--window-size={width},{height}", mode, url,
            }) psi.ArgumentList.Add(a);
            using var p = Process.Start(psi)!;
            var stdout = p.StandardOutput.ReadToEndAsync();
            var stderr = p.StandardError.ReadToEndAsync();
            if (!p.WaitForExit(TimeSpan.FromSeconds(90))) { p.Kill(true); Assert.Fail("chromium did not finish in 90 s"); }
            Assert.True(p.ExitCode == 0, $"chromium exited {p.ExitCode}: {stderr.Result}");
            return stdout.Result;
        }
        finally { try { profile.Delete(true); } catch (IOException) { } }
    }

    /// <summary>
    /// A page that shows <paramref name="htmlPath"/> in an iframe <paramref name="width"/> CSS pixels wide (a phone's
    /// viewport: Chromium 156's headless windows are at least 500 px wide) and, on load, copies the inner page's
    /// <c>#layout-check</c> element into its own DOM so <c>--dump-dom</c> shows it.
    /// </summary>
    public static string PhoneFrame(string htmlPath, string dir, int width = 390, int height = 2400)
    {
        var path = Path.Combine(dir, $"phone-{width}.html");
        File.WriteAllText(path, $$"""
            <!DOCTYPE html><html><head><meta charset="utf-8"><style>body{margin:0;background:#888}iframe{width:{{width}}px;height:{{height}}px;border:0;display:block;background:#fff}</style></head>
            <body><iframe id="phone" src="{{new Uri(htmlPath).AbsoluteUri}}"></iframe><script>
            window.addEventListener('load', function () {
              var inner = document.getElementById('phone').contentDocument;
              var check = inner && inner.getElementById('layout-check');
              if (check) document.body.appendChild(document.importNode(check, true));
            });
            </script></body></html>
            """);
        return new Uri(path).AbsoluteUri;
    }
}
