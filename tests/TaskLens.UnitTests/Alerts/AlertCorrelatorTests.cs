using TaskLens.Core.Incidents;

namespace TaskLens.UnitTests.Alerts;

public sealed class AlertCorrelatorTests
{
    private static readonly DateTimeOffset T0 = new(2026, 11, 26, 3, 0, 0, TimeSpan.Zero);
    private static readonly HashSet<(string, string)> Calls = [("checkout", "orders-db"), ("gateway", "checkout")];

    [Fact]
    public void Add_SameServiceJoins_SameNameOnAnUnrelatedServiceOpensAnother_AndEachSaysWhy()
    {
        var correlator = new AlertCorrelator(topology: Topology());

        var first = correlator.Add(Alert(0, "HighErrorRate", ("service", "checkout")));
        var second = correlator.Add(Alert(1, "CheckoutErrors", ("job", "checkout")));
        var elsewhere = correlator.Add(Alert(2, "HighErrorRate", ("service", "search")));

        Assert.Equal(("inc-0001", true, "opened: related to no open incident"), (first.IncidentId, first.Opened, first.Why));
        Assert.Equal(("inc-0001", false), (second.IncidentId, second.Opened));
        Assert.StartsWith("same workload 'checkout'", second.Why, StringComparison.Ordinal);
        Assert.Equal(("inc-0002", true), (elsewhere.IncidentId, elsewhere.Opened));
    }

    [Fact]
    public void Add_LinkedService_JoinsOnlyWithSimilarWords()
    {
        var correlator = new AlertCorrelator(topology: Topology());
        correlator.Add(Alert(0, "OrdersDbConnectionsSaturated", ("service", "orders-db")));

        var cascade = correlator.Add(Alert(1, "Checkout cannot reach orders db: connections saturated", ("service", "checkout")));
        var unrelatedLinked = correlator.Add(Alert(2, "GatewayTLSCertificateExpiring", ("service", "gateway")));

        Assert.Equal("inc-0001", cascade.IncidentId);
        Assert.StartsWith("'checkout' is linked by spans to 'orders-db'; similar words to its alerts (cosine ", cascade.Why, StringComparison.Ordinal);
        Assert.True(unrelatedLinked.Opened); // linked to checkout, but nothing in its words: a link alone does not join
    }

    [Fact]
    public void Add_EventWithoutService_JoinsByWords_GoalAlertsBySharedGoal()
    {
        var correlator = new AlertCorrelator();
        correlator.Add(Alert(0, "LLMProviderRateLimited", ("service", "llm-proxy")));
        correlator.Add(Alert(1, "Goal 'triage-inbox': completion rate dropped", ("goal", "triage-inbox")));

        var words = correlator.Add(Alert(2, "llm provider rate limited again"));
        var goal = correlator.Add(Alert(3, "Goal 'triage-inbox': p95 run duration rose", ("goal", "triage-inbox")));

        Assert.Equal("inc-0001", words.IncidentId);
        Assert.StartsWith("similar words to its alerts", words.Why, StringComparison.Ordinal);
        Assert.Equal("inc-0002", goal.IncidentId);
        Assert.StartsWith("same goal 'triage-inbox'", goal.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_AfterTheWindow_OnceItsAlertsResolved_TheSameServiceOpensANewIncident()
    {
        var correlator = new AlertCorrelator(new AlertCorrelator.Settings(Window: TimeSpan.FromMinutes(15)));
        correlator.Add(Alert(0, "HighErrorRate", ("service", "checkout")));

        Assert.False(correlator.Add(Alert(14, "HighLatency", ("service", "checkout"))).Opened);
        correlator.Resolved(Alert(15, "HighErrorRate", ("service", "checkout")));
        correlator.Resolved(Alert(15, "HighLatency", ("service", "checkout")));
        Assert.True(correlator.Add(Alert(30, "HighErrorRate", ("service", "checkout"))).Opened);
    }

    [Fact]
    public void Add_SlowBurn_WhileItsAlertsStillFire_TakesAlertsPastTheWindow_UpToTheFiringWindow()
    {
        var correlator = new AlertCorrelator(new AlertCorrelator.Settings(Window: TimeSpan.FromMinutes(15), FiringWindow: TimeSpan.FromHours(1)));
        correlator.Add(Alert(0, "HighErrorRate", ("service", "checkout")));

        Assert.False(correlator.Add(Alert(40, "HighLatency", ("service", "checkout"))).Opened);
        Assert.True(correlator.Add(Alert(101, "HighErrorRate", ("service", "checkout"))).Opened);
    }

    [Fact]
    public void Words_SplitCamelCaseAcronymsAndPunctuation_DropNumbersAndFiller()
    {
        Assert.Equal(["checkout", "http", "5xx", "errors"], TextVectors.Words("CheckoutHTTP5xxErrors"));
        Assert.Equal(["orders", "db", "connection", "pool", "exhausted"], TextVectors.Words("orders-db connection pool exhausted (42)"));
    }

    [Fact]
    public void Add_BadRolloutOfAnAppWhoseBrokerLags_IsASecondIncident_ButItsBackOffStaysWithIt()
    {
        var correlator = new AlertCorrelator();
        correlator.Add(Alert(0, "KafkaConsumergroupLagHigh", ("alertname", "KafkaConsumergroupLagHigh"), ("namespace", "platform"), ("statefulset", "kafka"), ("job", "kafka-exporter")));

        var rollout = correlator.Add(Alert(1, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "platform"), ("statefulset", "kafka"), ("reason", "CreateContainerConfigError")));
        var secret = correlator.Add(Alert(2, "Failed: Error: secret \"kafka-config-v2\" not found", ("involvedObject.namespace", "platform"), ("involvedObject.name", "kafka-1"), ("reason", "Failed")));
        var lag = correlator.Add(Alert(3, "KafkaBrokerUnderReplicatedPartitions", ("alertname", "KafkaBrokerUnderReplicatedPartitions"), ("namespace", "platform"), ("statefulset", "kafka")));

        Assert.Equal(("inc-0002", true), (rollout.IncidentId, rollout.Opened));
        Assert.Equal("inc-0002", secret.IncidentId);
        Assert.Equal("inc-0001", lag.IncidentId);
        Assert.Equal(FaultKind.Neutral, FaultKinds.Of(Alert(4, "BackOff: Back-off restarting failed container", ("reason", "BackOff"))));
        Assert.Equal(FaultKind.Run, FaultKinds.Of(Alert(4, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("reason", "OOMKilled"))));
    }

    [Fact]
    public void Add_BackOffOnAnAppWhoseUpstreamThrottles_OpensItsOwn_AndTheRolloutBehindItJoinsIt()
    {
        var correlator = new AlertCorrelator();
        correlator.Add(Alert(0, "LLMGatewayUpstream429", ("alertname", "LLMGatewayUpstream429"), ("namespace", "agents"), ("service", "llm-gateway")));

        var backOff = correlator.Add(Alert(1, "BackOff: Back-off restarting failed container llm-gateway in pod llm-gateway-sjrzv7wtd4-tb8px",
            ("involvedObject.namespace", "agents"), ("involvedObject.name", "llm-gateway-sjrzv7wtd4-tb8px"), ("reason", "BackOff")));
        var crash = correlator.Add(Alert(2, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "agents"), ("pod", "llm-gateway-sjrzv7wtd4-tb8px"), ("reason", "CreateContainerConfigError")));

        Assert.Equal(("inc-0002", true), (backOff.IncidentId, backOff.Opened));
        Assert.Equal("inc-0002", crash.IncidentId);
    }

    [Fact]
    public void Add_EvictionFromAFullDisk_JoinsTheMachine_AndTheEvictedAppsOwnTroubleStaysApart()
    {
        var topology = new WorkloadTopology();
        topology.ObserveCall(Resource("storefront", "cart-api", "ip-10-0-1-12"), Resource("storefront", "checkout-api", "ip-10-0-1-13"));
        var correlator = new AlertCorrelator(topology: topology);
        correlator.Add(Alert(0, "NodeFilesystemAlmostOutOfSpace", ("alertname", "NodeFilesystemAlmostOutOfSpace"), ("instance", "10.0.1.12:9100"), ("job", "node-exporter"), ("mountpoint", "/")));

        var evicted = correlator.Add(Alert(1, "Evicted: The node was low on resource: ephemeral-storage.",
            ("involvedObject.namespace", "storefront"), ("involvedObject.name", "cart-api-5d8f7c9b6d-q2x7k"), ("reason", "Evicted"), ("source.host", "ip-10-0-1-12")));
        var crash = correlator.Add(Alert(2, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "storefront"), ("deployment", "checkout-api"), ("reason", "OOMKilled")));
        var errors = correlator.Add(Alert(3, "Cart 5xx ratio", ("alertname", "Cart 5xx ratio"), ("namespace", "storefront"), ("deployment", "cart-api")));

        Assert.Equal("inc-0001", evicted.IncidentId);
        Assert.Equal("inc-0002", crash.IncidentId);
        Assert.Equal("inc-0002", errors.IncidentId);
        Assert.StartsWith("a symptom on 'storefront/cart-api', which depends on 'storefront/checkout-api'", errors.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_SymptomWithAFaultInWhatItCalls_JoinsThatFault_NotAnEarlierIncidentWithSymptomsThere()
    {
        var topology = new WorkloadTopology();
        foreach (var (caller, callee) in new[] { ("planner", "tool-exec"), ("tool-exec", "search-api"), ("search-api", "catalog-db"), ("planner", "llm-gateway") })
        {
            topology.ObserveCall(caller, callee);
        }

        var correlator = new AlertCorrelator(topology: topology);
        correlator.Add(Alert(0, "MysqlTooManyConnections", ("alertname", "MysqlTooManyConnections"), ("service", "catalog-db")));
        correlator.Add(Alert(1, "HTTPErrorRateHigh", ("alertname", "HTTPErrorRateHigh"), ("service", "search-api")));
        correlator.Add(Alert(2, "HTTPErrorRateHigh", ("alertname", "HTTPErrorRateHigh"), ("service", "tool-exec")));
        correlator.Add(Alert(3, "LLMGatewayUpstream429", ("alertname", "LLMGatewayUpstream429"), ("service", "llm-gateway")));

        var planner = correlator.Add(Alert(4, "Planner p95 latency", ("service", "planner")));

        Assert.Equal("inc-0002", planner.IncidentId);
        Assert.Equal("a symptom on 'planner', which depends on 'llm-gateway'", planner.Why);
    }

    [Fact]
    public void Add_SymptomOnAnAppWhoseRolloutDidNotStart_JoinsTheTroubleInWhatItCalls_AndSoDoItsCallers()
    {
        var topology = new WorkloadTopology();
        foreach (var (caller, callee) in new[] { ("planner", "tool-exec"), ("tool-exec", "search-api") })
        {
            topology.ObserveCall(caller, callee);
        }

        var correlator = new AlertCorrelator(topology: topology);
        correlator.Add(Alert(0, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("service", "tool-exec"), ("reason", "CreateContainerConfigError")));
        correlator.Add(Alert(1, "Failed: Error: secret \"tool-exec-config-v2\" not found", ("service", "tool-exec"), ("reason", "Failed")));
        correlator.Add(Alert(2, "ElasticsearchHeapUsageTooHigh", ("alertname", "ElasticsearchHeapUsageTooHigh"), ("service", "search-api")));

        var errors = correlator.Add(Alert(3, "HTTPErrorRateHigh", ("alertname", "HTTPErrorRateHigh"), ("service", "tool-exec")));
        var planner = correlator.Add(Alert(4, "Service 'planner': error rate rose to 13%", ("service", "planner")));

        Assert.Equal("inc-0002", errors.IncidentId);
        Assert.StartsWith("a symptom on 'tool-exec', which depends on 'search-api'", errors.Why, StringComparison.Ordinal);
        Assert.Equal("inc-0002", planner.IncidentId);
    }

    [Fact]
    public void Add_SymptomOnlyARolloutThatDidNotStartCouldExplain_OpensItsOwn()
    {
        var topology = new WorkloadTopology();
        topology.ObserveCall("web", "cart");
        var correlator = new AlertCorrelator(topology: topology);
        correlator.Add(Alert(0, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("service", "cart"), ("reason", "ImagePullBackOff")));

        var own = correlator.Add(Alert(1, "Cart 5xx ratio", ("alertname", "Cart 5xx ratio"), ("service", "cart")));
        var caller = correlator.Add(Alert(2, "Web latency p99", ("alertname", "Web latency p99"), ("service", "web")));

        Assert.True(own.Opened);
        Assert.Equal("inc-0002", caller.IncidentId);
        Assert.StartsWith("a symptom on 'web', which depends on 'cart', with symptoms too", caller.Why, StringComparison.Ordinal);
    }

    [Fact]
    public void Add_StatefulSetRolloutsAlerts_JoinTheRollout_NotTheBrokersIncident()
    {
        // kube-prometheus fires the StatefulSet rules for a StatefulSet (not KubeDeploymentReplicasMismatch): a rollout
        // replaces the highest ordinal first, which then is not ready.
        var correlator = new AlertCorrelator();
        correlator.Add(Alert(0, "KafkaConsumergroupLagHigh", ("alertname", "KafkaConsumergroupLagHigh"), ("namespace", "platform"), ("statefulset", "kafka")));
        var rollout = correlator.Add(Alert(2, "Failed: Error: secret \"kafka-config-v2\" not found", ("involvedObject.namespace", "platform"), ("involvedObject.name", "kafka-2"), ("reason", "Failed")));

        var mismatch = correlator.Add(Alert(3, "KubeStatefulSetReplicasMismatch", ("alertname", "KubeStatefulSetReplicasMismatch"), ("namespace", "platform"), ("statefulset", "kafka")));
        var notRolledOut = correlator.Add(Alert(4, "KubeStatefulSetUpdateNotRolledOut", ("alertname", "KubeStatefulSetUpdateNotRolledOut"), ("namespace", "platform"), ("statefulset", "kafka")));

        Assert.Equal(("inc-0002", true), (rollout.IncidentId, rollout.Opened));
        Assert.Equal(("inc-0002", "inc-0002"), (mismatch.IncidentId, notRolledOut.IncidentId));
    }

    [Fact]
    public void Add_RolloutsNewPodsBesideServingPodsCrashing_AreTwoIncidents_TheStuckRolloutAndMissingReplicasEachFindTheirs()
    {
        // Spans show the ReplicaSet that serves (hash 5d8f7c9b6d); the rollout's pod carries a hash never seen serving.
        var topology = new WorkloadTopology();
        topology.ObserveCall(Resource("storefront", "cart-api", "ip-10-0-1-12", "cart-api-5d8f7c9b6d-q2x7k"), Resource("storefront", "checkout-api", "ip-10-0-1-13", "checkout-api-7c9b6d5d8f-k2q7x"));
        var correlator = new AlertCorrelator(topology: topology);

        var serving = correlator.Add(Alert(0, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "storefront"), ("pod", "cart-api-5d8f7c9b6d-x7k2q"), ("reason", "CrashLoopBackOff")));
        var rollout = correlator.Add(Alert(1, "BackOff: Back-off restarting failed container cart-api in pod cart-api-8f9c7b6d5d-zq2k7",
            ("involvedObject.namespace", "storefront"), ("involvedObject.name", "cart-api-8f9c7b6d5d-zq2k7"), ("reason", "BackOff")));
        var newPodCrash = correlator.Add(Alert(2, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "storefront"), ("pod", "cart-api-8f9c7b6d5d-zq2k7"), ("reason", "CrashLoopBackOff")));
        var stuck = correlator.Add(Alert(3, "KubeDeploymentRolloutStuck", ("alertname", "KubeDeploymentRolloutStuck"), ("namespace", "storefront"), ("deployment", "cart-api"), ("condition", "Progressing"), ("status", "false")));
        var missing = correlator.Add(Alert(4, "KubeDeploymentReplicasMismatch", ("alertname", "KubeDeploymentReplicasMismatch"), ("namespace", "storefront"), ("deployment", "cart-api")));

        Assert.Equal(("inc-0001", "inc-0002", true), (serving.IncidentId, rollout.IncidentId, rollout.Opened));
        Assert.Equal(("inc-0002", "inc-0002", "inc-0001"), (newPodCrash.IncidentId, stuck.IncidentId, missing.IncidentId));
        Assert.Equal(FaultKind.Change, FaultKinds.Of(Alert(5, "KubeDeploymentRolloutStuck", ("alertname", "KubeDeploymentRolloutStuck"))));
    }

    [Fact]
    public void Add_PodsOfAnotherReplicaSet_WithoutSpans_StillOpenTheirOwnIncident()
    {
        var correlator = new AlertCorrelator();

        var first = correlator.Add(Alert(0, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "storefront"), ("pod", "cart-api-5d8f7c9b6d-x7k2q"), ("reason", "CrashLoopBackOff")));
        var sibling = correlator.Add(Alert(1, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "storefront"), ("pod", "cart-api-5d8f7c9b6d-q2x7k"), ("reason", "CrashLoopBackOff")));
        var other = correlator.Add(Alert(2, "KubePodCrashLooping", ("alertname", "KubePodCrashLooping"), ("namespace", "storefront"), ("pod", "cart-api-8f9c7b6d5d-zq2k7"), ("reason", "CrashLoopBackOff")));

        Assert.Equal(("inc-0001", "inc-0001"), (first.IncidentId, sibling.IncidentId));
        Assert.Equal(("inc-0002", true), (other.IncidentId, other.Opened));
    }

    [Fact]
    public void GroupingScore_CountsPairs()
    {
        // Truth: {a1, a2, a3} {a4}; predicted: {a1, a2} {a3, a4}.
        var score = GroupingScore.Of(["x", "x", "x", "y"], ["p", "p", "q", "q"]);

        Assert.Equal((4, 2, 2, 2L, 3L, 1L), (score.Alerts, score.TrueGroups, score.Groups, score.TogetherPairs, score.TrulyTogetherPairs, score.RightPairs));
        Assert.Equal((0.5, 0.5, 1 / 3.0), (score.Compression, score.Precision, score.Recall));
    }

    private static WorkloadTopology Topology()
    {
        var topology = new WorkloadTopology();
        foreach (var (caller, callee) in Calls)
        {
            topology.ObserveCall(caller, callee);
        }

        return topology;
    }

    private static Dictionary<string, string> Resource(string space, string deployment, string node, string? pod = null)
    {
        var resource = new Dictionary<string, string>
        {
            ["service.name"] = deployment, ["k8s.namespace.name"] = space, ["k8s.deployment.name"] = deployment, ["k8s.node.name"] = node,
        };
        if (pod is not null)
        {
            resource["k8s.pod.name"] = pod;
        }

        return resource;
    }

    private static CorrelationInput Alert(int minute, string title, params (string Key, string Value)[] labels) =>
        new($"a{minute}", "alertmanager", T0.AddMinutes(minute), title, labels.ToDictionary(l => l.Key, l => l.Value));
}
