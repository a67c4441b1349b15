using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Options;
using TaskLens.Ingest;
using TaskLens.Ingest.Receivers;

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

    private static TenantResolver Resolver(bool openMode, string header = "Authorization")
    {
        var options = new IngestOptions { OpenMode = openMode, ApiKeyHeader = header };
        options.ApiKeys.Add(new IngestApiKey { Key = AcmeKey, Tenant = "acme" });
        return new TenantResolver(Options.Create(options));
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
