using System.Xml.Linq;

namespace TaskLens.UnitTests.Architecture;

/// <summary>
/// DESIGN.md's dependency direction: Server references everything; Web and every adapter reference Core only;
/// Core references no project. Checked on the project files, where a dependency is declared.
/// </summary>
public sealed class ProjectDependencyTests
{
    private static readonly Dictionary<string, string[]> Allowed = new()
    {
        ["TaskLens.Core"] = [],
        ["TaskLens.Ingest"] = ["TaskLens.Core"],
        ["TaskLens.Storage"] = ["TaskLens.Core"],
        ["TaskLens.Detection"] = ["TaskLens.Core"],
        ["TaskLens.Briefs"] = ["TaskLens.Core"],
        ["TaskLens.Slack"] = ["TaskLens.Core"],
        ["TaskLens.Web"] = ["TaskLens.Core"],
        ["TaskLens.Server"] = ["TaskLens.Core", "TaskLens.Ingest", "TaskLens.Storage", "TaskLens.Detection", "TaskLens.Briefs", "TaskLens.Slack", "TaskLens.Web"],
    };

    public static TheoryData<string> Projects() => new(Allowed.Keys);

    [Theory]
    [MemberData(nameof(Projects))]
    public void ProjectReferences_FollowDesignDirection(string project)
    {
        var references = ProjectReferencesOf(project);
        var forbidden = references.Except(Allowed[project]).ToList();
        Assert.True(forbidden.Count == 0, $"{project} must not reference {string.Join(", ", forbidden)}");
    }

    [Fact]
    public void Server_ReferencesEveryOtherProject()
    {
        Assert.Equal(
            Allowed["TaskLens.Server"].Order(),
            ProjectReferencesOf("TaskLens.Server").Order());
    }

    [Fact]
    public void Solution_HoldsNoProductionProjectOutsideTheRules()
    {
        var root = RepositoryRoot();
        var found = Directory.GetFiles(Path.Combine(root, "src"), "*.csproj", SearchOption.AllDirectories)
            .Concat(Directory.GetFiles(Path.Combine(root, "web"), "*.csproj", SearchOption.AllDirectories))
            .Select(Path.GetFileNameWithoutExtension)
            .Order();
        Assert.Equal(Allowed.Keys.Order(), found);
    }

    private static List<string> ProjectReferencesOf(string project)
    {
        var root = RepositoryRoot();
        var folder = project == "TaskLens.Web" ? "web" : "src";
        var file = Path.Combine(root, folder, project, project + ".csproj");
        return XDocument.Load(file).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();
    }

    private static string RepositoryRoot()
    {
        for (var dir = new DirectoryInfo(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "TaskLens.sln")))
            {
                return dir.FullName;
            }
        }

        throw new InvalidOperationException("TaskLens.sln not found above " + AppContext.BaseDirectory);
    }
}
