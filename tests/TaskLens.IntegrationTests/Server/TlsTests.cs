using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using TaskLens.IntegrationTests.Infrastructure;

namespace TaskLens.IntegrationTests.Server;

/// <summary>TLS on the listeners from a certificate path: the API and OTLP/HTTP answer over HTTPS with that certificate.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class TlsTests(ClickHouseFixture clickHouse) : IDisposable
{
    private readonly string _directory = Path.Combine(Path.GetTempPath(), "tasklens-tls-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task CertificatePath_PutsEveryListenerOnTls_WithThatCertificate()
    {
        Directory.CreateDirectory(_directory);
        using var rsa = RSA.Create(2048);
        var request = new CertificateRequest("CN=tasklens.test", rsa, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        request.CertificateExtensions.Add(names.Build());
        using var certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddMinutes(-5), DateTimeOffset.UtcNow.AddDays(1));
        var certPath = Path.Combine(_directory, "tls.crt");
        var keyPath = Path.Combine(_directory, "tls.key");
        await File.WriteAllTextAsync(certPath, certificate.ExportCertificatePem());
        await File.WriteAllTextAsync(keyPath, rsa.ExportPkcs8PrivateKeyPem());

        await using var host = await TaskLensHost.StartAsync(clickHouse, new Dictionary<string, string?>
        {
            ["TaskLens:Server:CertificatePath"] = certPath,
            ["TaskLens:Server:CertificateKeyPath"] = keyPath,
        });
        string? seen = null;
        using var handler = new HttpClientHandler
        {
            ServerCertificateCustomValidationCallback = (_, presented, _, _) =>
            {
                seen = presented?.Thumbprint;
                return presented?.Thumbprint == certificate.Thumbprint;
            },
        };
        using var https = new HttpClient(handler);

        using var health = await https.GetAsync(new Uri($"https://127.0.0.1:{host.ApiPort}/healthz"));
        using var export = await https.PostAsync(new Uri($"https://127.0.0.1:{host.HttpPort}/v1/traces"), new StringContent("{}", Encoding.UTF8, "application/json"));
        var plain = await Record.ExceptionAsync(() => host.Api.GetAsync(new Uri("/healthz", UriKind.Relative)));

        Assert.Equal((HttpStatusCode.OK, HttpStatusCode.OK), (health.StatusCode, export.StatusCode));
        Assert.Equal(certificate.Thumbprint, seen);
        Assert.True(plain is HttpRequestException, "plain HTTP was answered on a TLS listener");
    }

    [Fact]
    public async Task CertificatePath_Unreadable_StopsStartUp_SayingWhy()
    {
        var ports = FreePorts.Take(3);
        await using var app = TaskLens.Server.Program.Create(
        [
            "--TaskLens:Ingest:OpenMode=true", "--TaskLens:Server:ListenAddress=127.0.0.1", $"--TaskLens:ClickHouse:Url={clickHouse.Url}",
            $"--TaskLens:Server:ApiPort={ports[0]}", $"--TaskLens:Server:OtlpGrpcPort={ports[1]}", $"--TaskLens:Server:OtlpHttpPort={ports[2]}",
            "--TaskLens:Server:CertificatePath=" + Path.Combine(_directory, "missing.pfx"),
        ]);

        var e = await Assert.ThrowsAsync<Microsoft.Extensions.Options.OptionsValidationException>(() => app.StartAsync());

        Assert.Contains("CertificatePath", e.Message, StringComparison.Ordinal);
    }

    public void Dispose()
    {
        if (Directory.Exists(_directory))
        {
            Directory.Delete(_directory, recursive: true);
        }
    }
}
