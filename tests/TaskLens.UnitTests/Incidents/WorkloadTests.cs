using TaskLens.Core.Incidents;

namespace TaskLens.UnitTests.Incidents;

public sealed class WorkloadTests
{
    [Theory]
    [InlineData("cart-api-5d8f7c9b6d-q2x7k", "cart-api")]
    [InlineData("ledger-db-0", "ledger-db")]
    [InlineData("node-exporter-xk2p9", "node-exporter")]
    [InlineData("web", "web")]
    [InlineData("api-users", "api-users")] // "users" has vowels: not a generated suffix
    public void PodWorkload_StripsGeneratedSuffixes(string pod, string expected) => Assert.Equal(expected, Workload.PodWorkload(pod));

    [Theory]
    [InlineData("cart-api-5d8f7c9b6d-q2x7k", "5d8f7c9b6d")]
    [InlineData("ledger-db-0", null)]
    [InlineData("node-exporter-xk2p9", null)]
    [InlineData("api-users-orders", null)]
    public void TemplateHash_ReadsTheReplicaSetsHashFromADeploymentsPod(string pod, string? expected)
    {
        Assert.Equal(expected, Workload.TemplateHash(new Dictionary<string, string> { ["pod"] = pod }));
        Assert.Equal(expected, Workload.TemplateHash(new Dictionary<string, string> { ["involvedObject.name"] = pod }));
    }

    [Fact]
    public void Serves_KnowsTheReplicaSetsSeenInSpans_AndNothingForAWorkloadNeverSeen()
    {
        var topology = new WorkloadTopology();
        topology.ObserveResource(new Dictionary<string, string>
        {
            ["service.name"] = "cart", ["k8s.namespace.name"] = "storefront", ["k8s.deployment.name"] = "cart-api", ["k8s.pod.name"] = "cart-api-5d8f7c9b6d-q2x7k",
        });

        Assert.Equal((true, false, (bool?)null), (topology.Serves("storefront/cart-api", "5d8f7c9b6d"), topology.Serves("storefront/cart-api", "8f9c7b6d5d"), topology.Serves("storefront/web", "5d8f7c9b6d")));
    }

    [Fact]
    public void OfLabels_KubeStateMetricsAlert_IsItsTargetsWorkload_NotTheExporter()
    {
        var labels = new Dictionary<string, string>
        {
            ["alertname"] = "KubePodCrashLooping", ["namespace"] = "storefront", ["pod"] = "cart-api-5d8f7c9b6d-q2x7k", ["job"] = "kube-state-metrics", ["instance"] = "10.2.0.7:8080",
        };

        Assert.Equal("storefront/cart-api", Workload.OfLabels(labels));
    }

    [Fact]
    public void OfLabels_NodeExporterAndNodeName_AreTheSameMachine()
    {
        var disk = new Dictionary<string, string>
        {
            ["instance"] = "10.0.1.12:9100", ["job"] = "node-exporter", ["mountpoint"] = "/var/lib/kubelet", ["device"] = "/dev/nvme0n1p1", ["namespace"] = "monitoring", ["pod"] = "node-exporter-xk2p9",
        };
        var node = new Dictionary<string, string> { ["node"] = "ip-10-0-1-12.ec2.internal", ["job"] = "kube-state-metrics", ["namespace"] = "monitoring" };

        Assert.Equal("node/10.0.1.12", Workload.OfLabels(disk));
        Assert.Equal("node/10.0.1.12", Workload.OfLabels(node));
    }

    [Fact]
    public void OfLabels_SameDeploymentNameInTwoNamespaces_AreTwoWorkloads_AndANamespaceAloneIsNone()
    {
        Assert.Equal("storefront/checkout-api", Workload.OfLabels(new Dictionary<string, string> { ["namespace"] = "storefront", ["deployment"] = "checkout-api" }));
        Assert.Equal("staging/checkout-api", Workload.OfLabels(new Dictionary<string, string> { ["namespace"] = "staging", ["deployment"] = "checkout-api" }));
        Assert.Null(Workload.OfLabels(new Dictionary<string, string> { ["alertname"] = "Watchdog", ["namespace"] = "monitoring", ["prometheus"] = "monitoring/k8s" }));
    }

    [Fact]
    public void Topology_FromResourceAttributes_LinksCallsAndMachines_AndReadsABareServiceAsItsWorkload()
    {
        var topology = new WorkloadTopology();
        var caller = new Dictionary<string, string> { ["service.name"] = "checkout", ["k8s.namespace.name"] = "storefront", ["k8s.deployment.name"] = "checkout-api", ["k8s.node.name"] = "ip-10-0-1-13" };
        var callee = new Dictionary<string, string> { ["service.name"] = "payments", ["k8s.namespace.name"] = "payments", ["k8s.pod.name"] = "payment-gateway-5d8f7c9b6d-q2x7k" };

        topology.ObserveCall(caller, callee);

        Assert.True(topology.Linked("storefront/checkout-api", "payments/payment-gateway"));
        Assert.True(topology.Linked("payments", "checkout")); // bare service names, each reported by one workload
        Assert.True(topology.Linked("node/10.0.1.13", "storefront/checkout-api"));
        Assert.False(topology.Linked("node/10.0.1.12", "storefront/checkout-api"));
    }

    [Fact]
    public void Correlator_RepeatNotification_JoinsItsIncident_EvenWithNothingElseShared()
    {
        var correlator = new AlertCorrelator();
        var labels = new Dictionary<string, string> { ["alertname"] = "Watchdog", ["namespace"] = "monitoring" };
        var at = DateTimeOffset.Parse("2026-11-20T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);

        var first = correlator.Add(new CorrelationInput("a1", "alertmanager", at, "Watchdog", labels));
        var again = correlator.Add(new CorrelationInput("a2", "alertmanager", at.AddMinutes(5), "Watchdog", labels));

        Assert.Equal((first.IncidentId, "a repeat notification of an alert already in it"), (again.IncidentId, again.Why));
    }

    [Fact]
    public void Topology_LivePath_ServiceNameCallsPlusResources_LinkTheWorkloads_AndTellSameNamedServicesApart()
    {
        var topology = new WorkloadTopology();
        var seen = DateTimeOffset.Parse("2026-11-20T00:00:00Z", System.Globalization.CultureInfo.InvariantCulture);
        topology.ObserveCall("checkout", "payments", seen);
        topology.ObserveResource(new Dictionary<string, string> { ["service.name"] = "checkout", ["k8s.namespace.name"] = "storefront", ["k8s.deployment.name"] = "checkout-api", ["k8s.node.name"] = "ip-10-0-1-13" }, seen);
        topology.ObserveResource(new Dictionary<string, string> { ["service.name"] = "payments", ["k8s.namespace.name"] = "payments", ["k8s.pod.name"] = "payment-gateway-5d8f7c9b6d-q2x7k" }, seen);
        topology.ObserveResource(new Dictionary<string, string> { ["service.name"] = "cart", ["k8s.namespace.name"] = "storefront", ["k8s.deployment.name"] = "cart-api" }, seen);
        topology.ObserveResource(new Dictionary<string, string> { ["service.name"] = "cart", ["k8s.namespace.name"] = "staging", ["k8s.deployment.name"] = "cart-api" }, seen);
        topology.ObserveCall("cart", "checkout", seen);

        Assert.True(topology.DependsOn("storefront/checkout-api", "payments/payment-gateway", 1));
        Assert.False(topology.DependsOn("payments/payment-gateway", "storefront/checkout-api", 1)); // errors travel to callers only
        Assert.True(topology.Linked("node/10.0.1.13", "storefront/checkout-api"));
        Assert.Equal(["staging/cart-api", "storefront/cart-api"], topology.Resolve("cart"));
        Assert.Equal("cart", topology.Canonical("cart")); // two workloads report it: no single one
        Assert.False(topology.DependsOn("staging/checkout-api", "payments/payment-gateway", 1)); // only storefront's checkout reports "checkout"

        topology.Prune(seen.AddSeconds(1));
        Assert.False(topology.DependsOn("storefront/checkout-api", "payments/payment-gateway", 1));
    }
}
