using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TaskLens.Core.Access;
using TaskLens.Ingest;
using TaskLens.Ingest.Receivers;

using TaskLens.UnitTests.Access;

namespace TaskLens.UnitTests.Ingest;

public sealed class TenantResolverTests
{
    private const string AcmeKey = "acme-0123456789abcdef";

    [Theory]
    [InlineData("Bearer " + AcmeKey, "acme", null)]
    [InlineData("bearer   " + AcmeKey + " ", "acme", null)]
    [InlineData("Bearer wrong-0123456789abcdef", null, "The ingest key is not known.")]
    [InlineData("Basic " + AcmeKey, null, "The Authorization header must be 'Bearer <ingest key>'.")]
    [InlineData("", null, "An ingest key is required: send 'Authorization: Bearer <key>'.")]
    public void Resolve_KeyedMode_MapsKnownKeysOnly(string authorization, string? tenant, string? refusal)
    {
        var resolver = Resolver(openMode: false);

        var resolved = resolver.Resolve(Request("Authorization", authorization), out var why);

        Assert.Equal((tenant, refusal), (resolved, why));
    }

    [Fact]
    public void Resolve_OpenModeWithoutKey_IsTheDefaultTenant() =>
        Assert.Equal("default", Resolver(openMode: true).Resolve(Request("Authorization", ""), out _));

    [Fact]
    public void Resolve_OpenModeWithUnknownKey_IsStillRefused() =>
        Assert.Null(Resolver(openMode: true).Resolve(Request("Authorization", "Bearer nope-0123456789abcdef"), out _));

    [Fact]
    public void Resolve_CustomHeader_CarriesTheBareKey()
    {
        var resolver = Resolver(openMode: false, header: "X-TaskLens-Key");

        Assert.Equal("acme", resolver.Resolve(Request("X-TaskLens-Key", AcmeKey), out _));
        Assert.Null(resolver.Resolve(Request("Authorization", "Bearer " + AcmeKey), out _));
    }

    [Fact]
    public async Task Resolve_StoredIngestKey_IsItsTenant_AndOtherKindsAreNot()
    {
        using var access = new AccessTestStore();
        var (_, ingest, _) = await access.Service.CreateKeyAsync("globex", KeyKind.Ingest, "collector", "ana", CancellationToken.None);
        var (_, api, _) = await access.Service.CreateKeyAsync("globex", KeyKind.ApiTriage, "bot", "ana", CancellationToken.None);
        var resolver = Resolver(openMode: false, directory: access.Directory);

        Assert.Equal("globex", resolver.Resolve(Request("Authorization", "Bearer " + ingest), out _));
        Assert.Null(resolver.Resolve(Request("Authorization", "Bearer " + api), out var why));
        Assert.Equal("The ingest key is not known.", why);
    }

    private static TenantResolver Resolver(bool openMode, string header = "Authorization", AccessKeyDirectory? directory = null)
    {
        var options = new IngestOptions { OpenMode = openMode, ApiKeyHeader = header };
        options.ApiKeys.Add(new IngestApiKey { Key = AcmeKey, Tenant = "acme" });
        return new TenantResolver(Options.Create(options), directory ?? AccessTestStore.EmptyDirectory);
    }

    private static HttpRequest Request(string header, string value)
    {
        var context = new DefaultHttpContext();
        if (value.Length > 0)
        {
            context.Request.Headers[header] = value;
        }

        return context.Request;
    }
}
