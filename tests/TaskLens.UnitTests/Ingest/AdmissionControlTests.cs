using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Microsoft.Extensions.Options;
using TaskLens.Ingest;
using TaskLens.Ingest.Receivers;

namespace TaskLens.UnitTests.Ingest;

public sealed class AdmissionControlTests
{
    [Fact]
    public void TryAdmit_OneTenantFlooding_IsCappedAtItsShareAndOthersStillGetIn()
    {
        var admission = Create(budget: 100, share: 0.5);

        var a1 = admission.TryAdmit("a", 30);
        var a2 = admission.TryAdmit("a", 20);
        var a3 = admission.TryAdmit("a", 1);
        var b1 = admission.TryAdmit("b", 30);
        var b2 = admission.TryAdmit("b", 30);
        var c1 = admission.TryAdmit("c", 20);

        Assert.NotNull(a1);
        Assert.NotNull(a2);
        Assert.Null(a3);   // a holds 50 = its share
        Assert.NotNull(b1); // b held nothing: admitted while the budget has room
        Assert.Null(b2);   // would pass the budget (110 > 100)
        Assert.NotNull(c1); // 100 exactly
        Assert.Equal(100, admission.BytesInFlight);
    }

    [Fact]
    public void TryAdmit_WithMoreActiveTenants_EachGetsAtMostOneNth()
    {
        var admission = Create(budget: 90, share: 1.0);
        using var b = admission.TryAdmit("b", 10);
        using var c = admission.TryAdmit("c", 10);
        using var a1 = admission.TryAdmit("a", 25);

        Assert.Null(admission.TryAdmit("a", 10)); // 35 > 90 / 3
        Assert.NotNull(admission.TryAdmit("a", 5)); // 30 = 90 / 3
    }

    [Fact]
    public void Dispose_ReturnsTheBytes_OnceOnly()
    {
        var admission = Create(budget: 100, share: 0.5);
        var lease = admission.TryAdmit("a", 50)!;

        lease.Dispose();
        lease.Dispose();

        Assert.Equal(0, admission.BytesInFlight);
        Assert.NotNull(admission.TryAdmit("a", 50));
    }

    [Fact]
    public void TryGrow_PastTheBudget_IsRefused_AndShrinkGivesBytesBack()
    {
        var admission = Create(budget: 100, share: 0.5);
        using var other = admission.TryAdmit("b", 30)!;
        using var first = admission.TryAdmit("a", 10)!;
        using var lease = admission.TryAdmit("a", 10)!;

        Assert.True(lease.TryGrow(10));   // a holds 30 of its 50
        Assert.False(lease.TryGrow(30));  // 60 would pass a's share while b holds bytes
        lease.Shrink(15);

        Assert.Equal(45, admission.BytesInFlight);
        Assert.True(lease.TryGrow(35));   // 50 = a's share
        Assert.Equal(80, admission.BytesInFlight);
    }

    [Fact]
    public void TryGrow_ALoneRequestOfATenant_MayTakeTheWholeBudget_ButNoMore()
    {
        var admission = Create(budget: 100, share: 0.5);
        using var lease = admission.TryAdmit("a", 0)!;

        Assert.True(lease.TryGrow(60));  // like a first admission: a tenant holding nothing else is let in while there is room
        Assert.True(lease.TryGrow(40));
        Assert.False(lease.TryGrow(1));
        Assert.Null(admission.TryAdmit("a", 1));
        Assert.Null(admission.TryAdmit("b", 1));

        lease.Dispose();
        Assert.Equal(0, admission.BytesInFlight);
    }

    [Property(MaxTest = 300)]
    public Property TryAdmit_AnySequence_NeverPassesTheBudgetAndReturnsToZero() =>
        Prop.ForAll(
            Gen.Elements("a", "b", "c").Zip(Gen.Choose(1, 60)).Zip(Gen.Elements(true, false)).ListOf().ToArbitrary(),
            steps =>
            {
                var admission = Create(budget: 100, share: 0.5);
                var held = new List<AdmissionControl.Lease>();
                foreach (var ((tenant, bytes), release) in steps)
                {
                    if (admission.TryAdmit(tenant, bytes) is { } lease)
                    {
                        held.Add(lease);
                    }

                    if (release && held.Count > 0)
                    {
                        held[0].Dispose();
                        held.RemoveAt(0);
                    }

                    if (admission.BytesInFlight > 100)
                    {
                        return false;
                    }
                }

                held.ForEach(l => l.Dispose());
                return admission.BytesInFlight == 0;
            });

    private static AdmissionControl Create(long budget, double share) =>
        new(Options.Create(new IngestOptions { MaxBytesInFlight = budget, MaxTenantShare = share }));
}
