using TaskLens.Ingest;

namespace TaskLens.UnitTests.Ingest;

public sealed class IngestOptionsTests
{
    [Fact]
    public void Validate_NoConfiguredKeysAndNoOpenMode_IsValidBecauseKeysMayBeStored() => Assert.Empty(new IngestOptions().Validate());

    [Theory]
    [InlineData(GrpcServerKind.Standard, 256, 64, false)]
    [InlineData(GrpcServerKind.Standard, 128, 64, true)]
    [InlineData(GrpcServerKind.Framing, 128, 64, false)]
    public void StandardGrpcBudgetIsTight_UnderFourTimesTheLargestMessage_OnlyForTheStandardServer(GrpcServerKind server, long inFlightMiB, int requestMiB, bool tight) =>
        Assert.Equal(tight, new IngestOptions { GrpcServer = server, MaxBytesInFlight = inFlightMiB << 20, MaxRequestBytes = requestMiB << 20 }.StandardGrpcBudgetIsTight);

    [Fact]
    public void Defaults_StandardGrpcServer_WithRoomForItsLargestMessage()
    {
        var options = new IngestOptions();

        Assert.Equal(GrpcServerKind.Standard, options.GrpcServer);
        Assert.False(options.StandardGrpcBudgetIsTight);
    }

    [Fact]
    public void Validate_OpenMode_IsValid() => Assert.Empty(new IngestOptions { OpenMode = true }.Validate());

    [Fact]
    public void Validate_BadKeysAndLimits_ListsEach()
    {
        var options = new IngestOptions { MaxRequestBytes = int.MaxValue, RetryAfterSeconds = 0 };
        options.ApiKeys.Add(new IngestApiKey { Key = "short", Tenant = "a" });
        options.ApiKeys.Add(new IngestApiKey { Key = "0123456789abcdef", Tenant = "" });
        options.ApiKeys.Add(new IngestApiKey { Key = "0123456789abcdef", Tenant = "b" });

        var errors = options.Validate();

        Assert.Equal(6, errors.Count);
        Assert.Contains(errors, e => e.Contains("MaxBytesInFlight", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ApiKeys[0].Key", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ApiKeys[1].Tenant", StringComparison.Ordinal));
        Assert.Contains(errors, e => e.Contains("ApiKeys[2].Key is listed twice", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData(GrpcServerKind.Framing, 0)]
    [InlineData(GrpcServerKind.Standard, 0)]
    [InlineData((GrpcServerKind)7, 1)]
    public void Validate_GrpcServer_OnlyTheTwoServersAreValid(GrpcServerKind server, int errors)
    {
        var found = new IngestOptions { GrpcServer = server }.Validate();

        Assert.Equal(errors, found.Count);
        Assert.All(found, e => Assert.Contains("GrpcServer 7 must be Framing or Standard", e, StringComparison.Ordinal));
    }
}
