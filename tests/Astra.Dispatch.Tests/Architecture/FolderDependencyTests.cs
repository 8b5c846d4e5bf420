using System.Text.RegularExpressions;
using Astra.Dispatch.Tests.Deploy;

namespace Astra.Dispatch.Tests.Architecture;

/// <summary>
/// The core's feature folders depend one way (style guide, rule 14): Telemetry, Secrets, Rules ← Security, Templating,
/// Matching ← Catalog ← Delivery ← Storage (Rules only) ← Dispatching. A cycle is a design question, not a using.
/// </summary>
public sealed partial class FolderDependencyTests
{
    private static readonly string Core = RepoFiles.PathOf("src/Astra.Dispatch");

    [Fact]
    public void FeatureFolders_OfTheCore_HaveNoCycle()
    {
        var graph = FolderGraph.Scan(Core);

        Assert.True(graph.Uses.Count >= 10, $"expected the core's feature folders, found {string.Join(", ", graph.Uses.Keys)}");
        if (graph.FindCycle() is { } cycle)
            Assert.Fail($"Feature folders depend on each other in a cycle: {string.Join(" → ", cycle)}. Uses: {graph.Explain(cycle)}");
    }

    [Fact]
    public void Storage_DependsOnRulesOnly()
    {
        var uses = FolderGraph.Scan(Core).Uses["Storage"];

        Assert.True(uses.Keys.All(f => f == "Rules"), $"Storage uses {string.Join(", ", uses.Select(u => $"{u.Key} ({u.Value})"))}");
    }

    [Fact]
    public void EachFile_DeclaresTheNamespaceOfItsFolder()
    {
        var misplaced =
            from folder in Directory.GetDirectories(Core).Where(d => Path.GetFileName(d) is not ("bin" or "obj"))
            from file in Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            let declared = Namespace().Match(File.ReadAllText(file)).Groups[1].Value
            let expected = "Astra.Dispatch." + Path.GetFileName(folder)
            where declared != expected && !declared.StartsWith(expected + ".", StringComparison.Ordinal)
            select $"{Path.GetRelativePath(Core, file)}: {declared}";

        Assert.Empty(misplaced);
    }

    [Fact]
    public void FindCycle_BackReference_NamesTheCycle()
    {
        var layered = new Dictionary<string, IEnumerable<string>>
        {
            ["Catalog"] = ["Rules", "Templating"],
            ["Delivery"] = ["Catalog", "Rules"],
            ["Rules"] = [],
            ["Templating"] = [],
        };

        Assert.Null(FolderGraph.FindCycle(layered));

        layered["Rules"] = ["Delivery"];
        Assert.Equal(["Catalog", "Rules", "Delivery", "Catalog"], FolderGraph.FindCycle(layered));
    }

    [Fact]
    public void Scan_UsingsQualifiedNamesAndCrefs_CountedButNotComments()
    {
        var project = Directory.CreateTempSubdirectory("astra-folders-").FullName;
        try
        {
            Source(project, "Rules/Rule.cs", "namespace Astra.Dispatch.Rules;\n// Astra.Dispatch.Delivery is mentioned here only\npublic sealed class Rule;");
            Source(project, "Rules/Limits.cs", "namespace Astra.Dispatch.Rules;\npublic readonly record struct Limits(int Max);");
            Source(project, "Storage/Log.cs", "using Astra.Dispatch.Rules;\nnamespace Astra.Dispatch.Storage;\n/* Astra.Dispatch.Delivery */\npublic sealed class Log;");
            Source(project, "Delivery/Sender.cs", "namespace Astra.Dispatch.Delivery;\n/// <see cref=\"Astra.Dispatch.Templating.Engine\"/>\npublic sealed class Sender { Storage.Log? _log; }");
            Source(project, "Templating/Engine.cs", "namespace Astra.Dispatch.Templating;\npublic sealed class Engine { global::Astra.Dispatch.Rules.Rule? _r; string _u = \"https://x\"; }");
            Source(project, "Secrets/Store.cs", "namespace Astra.Dispatch.Secrets;\npublic sealed class Store { Rules.Limits _limits; }");

            var uses = FolderGraph.Scan(project).Uses;

            Assert.Equal(["Storage", "Templating"], uses["Delivery"].Keys);
            Assert.Equal(["Rules"], uses["Storage"].Keys);
            Assert.Equal(["Rules"], uses["Templating"].Keys);
            Assert.Equal(["Rules"], uses["Secrets"].Keys);
            Assert.Empty(uses["Rules"]);
        }
        finally
        {
            Directory.Delete(project, recursive: true);
        }
    }

    private static void Source(string project, string path, string text)
    {
        var file = Path.Combine(project, path);
        Directory.CreateDirectory(Path.GetDirectoryName(file)!);
        File.WriteAllText(file, text);
    }

    [GeneratedRegex(@"^namespace\s+([\w.]+)\s*;", RegexOptions.Multiline)]
    private static partial Regex Namespace();
}
