using System.CommandLine;

namespace Lth.Cli.Commands;

/// <summary>
/// <c>lth verify RUNS_ROOT</c>: checks every stored run below a folder (run folder named by its hparams' hash, every
/// file against the SHA-256 recorded when it was written); one line per problem, then the counts. Exit 0 when
/// nothing is wrong, 3 otherwise. Seeds written before lth recorded digests are listed as unverified, not as problems.
/// </summary>
public static class VerifyCommand
{
    public static Command Create()
    {
        var root = new Argument<string>("RUNS_ROOT") { Description = "folder holding lottery_<hash> runs (searched recursively)" };
        var cmd = new Command("verify", "check every stored run below a folder against its recorded SHA-256 digests and run hashes") { root };
        cmd.SetAction(r => Cli.Guard(() =>
        {
            var check = StoreVerifier.Check(r.GetValue(root)!);
            foreach (var p in check.Problems) Console.WriteLine(p);
            foreach (var u in check.Unverified) Console.WriteLine(u);
            Console.WriteLine(check.Summary);
            return check.Clean ? ExitCodes.Ok : ExitCodes.Data;
        }));
        return cmd;
    }
}
