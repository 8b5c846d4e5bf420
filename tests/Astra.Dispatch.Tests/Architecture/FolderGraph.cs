using System.Text.RegularExpressions;

namespace Astra.Dispatch.Tests.Architecture;

/// <summary>
/// Which feature folders of a project use which: a folder uses another when its code names the other's namespace
/// (<c>using Astra.Dispatch.Storage;</c>, a fully qualified name, a <c>cref</c>) or one of its types by a partially
/// qualified name (<c>Storage.AttemptRecorded</c>). Comments other than <c>cref</c>s are ignored.
/// </summary>
internal sealed partial class FolderGraph
{
    private FolderGraph(SortedDictionary<string, SortedDictionary<string, string>> uses) => Uses = uses;

    /// <summary>For each folder, the folders it uses, each with the first file (relative path) that does.</summary>
    public SortedDictionary<string, SortedDictionary<string, string>> Uses { get; }

    public static FolderGraph Scan(string projectFolder)
    {
        var folders = Directory.GetDirectories(projectFolder).Select(Path.GetFileName).OfType<string>()
            .Where(f => f is not ("bin" or "obj")).Order(StringComparer.Ordinal).ToList();
        var code = folders.ToDictionary(f => f, f => SourcesOf(Path.Combine(projectFolder, f))
            .Select(file => (File: Path.GetRelativePath(projectFolder, file), Code: CodeOf(File.ReadAllText(file)))).ToList());
        var types = folders.ToDictionary(f => f, f => code[f].SelectMany(c => TypeDeclaration().Matches(c.Code).Select(m => m.Groups[1].Value)).ToHashSet());

        var uses = new SortedDictionary<string, SortedDictionary<string, string>>(StringComparer.Ordinal);
        foreach (var folder in folders)
        {
            var used = uses[folder] = new SortedDictionary<string, string>(StringComparer.Ordinal);
            foreach (var (file, text) in code[folder])
            {
                var named = QualifiedName().Matches(text).Select(m => m.Groups[1].Value)
                    .Concat(PartialName().Matches(text).Where(m => types.GetValueOrDefault(m.Groups[1].Value)?.Contains(m.Groups[2].Value) == true)
                        .Select(m => m.Groups[1].Value));
                foreach (var other in named.Where(n => n != folder && types.ContainsKey(n)))
                    used.TryAdd(other, file);
            }
        }
        return new FolderGraph(uses);
    }

    /// <summary>A cycle as the folders along it, the first repeated at the end (<c>Rules → Storage → Rules</c>), or null.</summary>
    public IReadOnlyList<string>? FindCycle() => FindCycle(Uses.ToDictionary(u => u.Key, u => (IEnumerable<string>)u.Value.Keys));

    public static IReadOnlyList<string>? FindCycle(IReadOnlyDictionary<string, IEnumerable<string>> edges)
    {
        var done = new HashSet<string>(StringComparer.Ordinal);
        var path = new List<string>();

        List<string>? Visit(string node)
        {
            if (path.IndexOf(node) is var at and >= 0)
                return [.. path[at..], node];
            if (!done.Add(node))
                return null;
            path.Add(node);
            foreach (var next in edges.GetValueOrDefault(node) ?? [])
            {
                if (Visit(next) is { } cycle)
                    return cycle;
            }
            path.RemoveAt(path.Count - 1);
            return null;
        }

        return edges.Keys.Order(StringComparer.Ordinal).Select(Visit).FirstOrDefault(c => c is not null);
    }

    /// <summary>Where a cycle's uses come from: "Rules → Storage (Rules/IRuleStore.cs)" per step.</summary>
    public string Explain(IReadOnlyList<string> cycle) =>
        string.Join(", ", cycle.Zip(cycle.Skip(1), (from, to) => $"{from} → {to} ({Uses[from][to]})"));

    private static IEnumerable<string> SourcesOf(string folder) =>
        Directory.EnumerateFiles(folder, "*.cs", SearchOption.AllDirectories)
            .Where(f => !f.Split(Path.DirectorySeparatorChar).Any(part => part is "bin" or "obj"))
            .Order(StringComparer.Ordinal);

    /// <summary>The code without comments, keeping the <c>cref</c>s of documentation comments (the compiler binds them).</summary>
    private static string CodeOf(string source)
    {
        var withoutBlocks = BlockComment().Replace(source, " ");
        return LineComment().Replace(withoutBlocks, m => string.Join(" ", Cref().Matches(m.Value).Select(c => c.Groups[1].Value)));
    }

    [GeneratedRegex(@"/\*.*?\*/", RegexOptions.Singleline)]
    private static partial Regex BlockComment();

    // Not "://": a URL in a string is not a comment.
    [GeneratedRegex(@"(?<!:)//.*$", RegexOptions.Multiline)]
    private static partial Regex LineComment();

    [GeneratedRegex("cref=\"([^\"]*)\"")]
    private static partial Regex Cref();

    [GeneratedRegex(@"\b(?:class|struct|interface|enum|record(?:\s+class|\s+struct)?)\s+(\w+)")]
    private static partial Regex TypeDeclaration();

    [GeneratedRegex(@"\bAstra\.Dispatch\.(\w+)")]
    private static partial Regex QualifiedName();

    [GeneratedRegex(@"(?<![\w.])(\w+)\.(\w+)")]
    private static partial Regex PartialName();
}
