namespace Lth.Cli;

/// <summary>This process's own arguments, for re-invoking lth (workers, Slurm tasks) with the same plan.</summary>
public static class CommandLineArgs
{
    /// <summary>The arguments after the program, without the named options and their values.</summary>
    public static List<string> Without(params string[] names)
    {
        var args = Environment.GetCommandLineArgs().Skip(1).ToList();
        var result = new List<string>();
        for (int i = 0; i < args.Count; i++)
        {
            var a = args[i];
            int eq = a.IndexOf('=');
            var key = eq > 0 ? a[..eq] : a;
            if (names.Contains(key)) { if (eq < 0) i++; continue; }
            result.Add(a);
        }
        return result;
    }
}
