using System.Reflection;
using System.Xml.Linq;

namespace TaskLens.UnitTests.Architecture;

/// <summary>
/// DESIGN.md's dependency direction: Server references everything; Web and every adapter reference Core only;
/// Core references no project. Each project's allowed references are stated here — other projects and shared
/// frameworks — and checked twice: on the project files, where a dependency is declared, and on the built
/// assemblies, where it is used.
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

    /// <summary>
    /// The shared frameworks each project may reference. Core and Detection are plain libraries (hosting, options and
    /// logging come from Microsoft.Extensions packages); only the adapters that serve HTTP take ASP.NET Core, and
    /// Server gets it from the Web SDK.
    /// </summary>
    private static readonly Dictionary<string, string[]> AllowedFrameworks = new()
    {
        ["TaskLens.Core"] = [],
        ["TaskLens.Ingest"] = ["Microsoft.AspNetCore.App"],
        ["TaskLens.Storage"] = ["Microsoft.AspNetCore.App"],
        ["TaskLens.Detection"] = [],
        ["TaskLens.Briefs"] = ["Microsoft.AspNetCore.App"],
        ["TaskLens.Slack"] = ["Microsoft.AspNetCore.App"],
        ["TaskLens.Web"] = ["Microsoft.AspNetCore.App"],
        ["TaskLens.Server"] = [],
    };

    public static TheoryData<string> Projects() => new(Allowed.Keys);

    [Fact]
    public void EveryProject_StatesItsAllowedReferences() =>
        Assert.Equal(Allowed.Keys.Order(), AllowedFrameworks.Keys.Order());

    [Theory]
    [MemberData(nameof(Projects))]
    public void FrameworkReferences_AreOnlyTheAllowedOnes(string project)
    {
        var frameworks = ProjectFile(project).Descendants("FrameworkReference").Select(e => e.Attribute("Include")!.Value).ToList();
        var forbidden = frameworks.Except(AllowedFrameworks[project]).ToList();
        Assert.True(forbidden.Count == 0, $"{project} must not reference the shared framework {string.Join(", ", forbidden)}");
    }

    [Theory]
    [MemberData(nameof(Projects))]
    public void BuiltAssembly_UsesOnlyAllowedProjectsAndFrameworks(string project)
    {
        var referenced = Assembly.Load(new AssemblyName(project)).GetReferencedAssemblies().Select(a => a.Name!).ToList();

        var projects = referenced.Where(Allowed.ContainsKey).Except(Allowed[project]).ToList();
        Assert.True(projects.Count == 0, $"{project} uses {string.Join(", ", projects)}");

        var aspNetCore = referenced.Where(n => n.StartsWith("Microsoft.AspNetCore.", StringComparison.Ordinal)).ToList();
        if (project != "TaskLens.Server" && !AllowedFrameworks[project].Contains("Microsoft.AspNetCore.App"))
        {
            Assert.True(aspNetCore.Count == 0, $"{project} uses ASP.NET Core ({string.Join(", ", aspNetCore)})");
        }
    }

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

    private static List<string> ProjectReferencesOf(string project) =>
        ProjectFile(project).Descendants("ProjectReference")
            .Select(e => Path.GetFileNameWithoutExtension(e.Attribute("Include")!.Value.Replace('\\', '/')))
            .ToList();

    private static XDocument ProjectFile(string project)
    {
        var folder = project == "TaskLens.Web" ? "web" : "src";
        return XDocument.Load(Path.Combine(RepositoryRoot(), folder, project, project + ".csproj"));
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
