using YamlDotNet.RepresentationModel;

namespace TaskLens.UnitTests.Server;

/// <summary>
/// The Collector configs in collectors/, parsed as the Collector reads them: the cluster one routes traces and logs by
/// trace id to every node, and each pipeline names only receivers, processors and exporters that are defined.
/// </summary>
public sealed class CollectorConfigTests
{
    [Fact]
    public void ClusterConfig_TracesAndLogs_AreRoutedByTraceIdToEveryNode()
    {
        var root = Load("otelcol-tasklens-cluster.yaml");
        var balancer = Map(Map(root, "exporters"), "loadbalancing");

        Assert.Equal("traceID", Scalar(balancer, "routing_key"));
        var hostnames = Sequence(Map(Map(balancer, "resolver"), "static"), "hostnames");
        Assert.True(hostnames.Count >= 2, "the static resolver names every TaskLens node");
        Assert.All(hostnames, h => Assert.EndsWith(":4317", h, StringComparison.Ordinal));
        Assert.Contains("${env:TASKLENS_INGEST_KEY}", Scalar(Map(Map(Map(balancer, "protocol"), "otlp"), "headers"), "authorization"), StringComparison.Ordinal);
        var pipelines = Map(Map(root, "service"), "pipelines");
        Assert.Equal(["loadbalancing"], Sequence(Map(pipelines, "traces"), "exporters"));
        Assert.Equal(["loadbalancing"], Sequence(Map(pipelines, "logs"), "exporters"));
    }

    [Theory]
    [InlineData("otelcol-tasklens.yaml")]
    [InlineData("otelcol-tasklens-cluster.yaml")]
    public void Config_EveryPipeline_NamesOnlyDefinedComponents(string file)
    {
        var root = Load(file);
        var pipelines = Map(Map(root, "service"), "pipelines");

        Assert.NotEmpty(pipelines.Children);
        foreach (var (name, pipeline) in pipelines.Children)
        {
            foreach (var kind in new[] { "receivers", "processors", "exporters" })
            {
                var defined = Map(root, kind).Children.Keys.Select(k => ((YamlScalarNode)k).Value).ToHashSet();
                Assert.All(Sequence((YamlMappingNode)pipeline, kind), c => Assert.True(defined.Contains(c), $"{file}: pipeline {name} names undefined {kind} '{c}'"));
            }
        }
    }

    private static YamlMappingNode Load(string file)
    {
        var stream = new YamlStream();
        using var reader = new StreamReader(Path.Combine(RepositoryRoot(), "collectors", file));
        stream.Load(reader);
        return (YamlMappingNode)stream.Documents.Single().RootNode;
    }

    private static YamlMappingNode Map(YamlMappingNode node, string key) => Assert.IsType<YamlMappingNode>(node.Children[new YamlScalarNode(key)]);

    private static string Scalar(YamlMappingNode node, string key) => Assert.IsType<YamlScalarNode>(node.Children[new YamlScalarNode(key)]).Value!;

    private static List<string> Sequence(YamlMappingNode node, string key) =>
        Assert.IsType<YamlSequenceNode>(node.Children[new YamlScalarNode(key)]).Children.Select(c => ((YamlScalarNode)c).Value!).ToList();

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
