using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace TaskLens.Server;

/// <summary>Where TaskLens listens; bound from <c>TaskLens:Server</c>.</summary>
internal sealed class ServerOptions
{
    public const string SectionName = "TaskLens:Server";

    /// <summary>
    /// The address every listener binds. Loopback by default, like the OpenTelemetry Collector's receivers, so a
    /// fresh install is not reachable from the network until someone decides it should be (<c>0.0.0.0</c>).
    /// <c>localhost</c> binds both 127.0.0.1 and ::1, so exporters resolving localhost either way connect.
    /// </summary>
    public string ListenAddress { get; set; } = "localhost";

    /// <summary>Dashboard, REST API and webhooks.</summary>
    public int ApiPort { get; set; } = 8080;

    /// <summary>OTLP/gRPC (HTTP/2 cleartext).</summary>
    public int OtlpGrpcPort { get; set; } = 4317;

    /// <summary>OTLP/HTTP (HTTP/1.1 and HTTP/2).</summary>
    public int OtlpHttpPort { get; set; } = 4318;

    /// <summary>
    /// The widest time window one read of the API may ask for (<c>from</c> to <c>to</c>); a wider one is answered 400
    /// naming this cap, so no single request scans the whole history.
    /// </summary>
    public TimeSpan MaxReadWindow { get; set; } = TimeSpan.FromDays(7);

    /// <summary>
    /// TLS on every listener: a PEM certificate (with <see cref="CertificateKeyPath"/>, its PEM private key) or a
    /// PKCS#12 file (<c>.pfx</c>/<c>.p12</c>, with <see cref="CertificatePassword"/> if it has one). Unset: plain HTTP.
    /// </summary>
    public string? CertificatePath { get; set; }

    public string? CertificateKeyPath { get; set; }

    public string? CertificatePassword { get; set; }

    /// <summary>
    /// The bearer token a Prometheus scrape of <c>/metrics</c> presents outside open mode (a signed-in admin needs none).
    /// Unset: only admins may read it. Never logged.
    /// </summary>
    public string? MetricsToken { get; set; }

    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (MaxReadWindow < TimeSpan.FromHours(1))
        {
            errors.Add($"MaxReadWindow {MaxReadWindow} must be at least one hour (the default window of a read).");
        }

        if (!IPAddress.TryParse(ListenAddress, out _) && ListenAddress != "localhost")
        {
            errors.Add($"ListenAddress '{ListenAddress}' is not an IP address or 'localhost'.");
        }

        foreach (var (name, port) in new[] { (nameof(ApiPort), ApiPort), (nameof(OtlpGrpcPort), OtlpGrpcPort), (nameof(OtlpHttpPort), OtlpHttpPort) })
        {
            if (port is < 1 or > 65535)
            {
                errors.Add($"{name} {port} is not a TCP port (1-65535).");
            }
        }

        if (new HashSet<int> { ApiPort, OtlpGrpcPort, OtlpHttpPort }.Count != 3)
        {
            errors.Add($"ApiPort, OtlpGrpcPort and OtlpHttpPort must differ (got {ApiPort}, {OtlpGrpcPort}, {OtlpHttpPort}).");
        }

        if (MetricsToken is { Length: > 0 and < 16 })
        {
            errors.Add("MetricsToken must be at least 16 characters (openssl rand -hex 24 makes one).");
        }

        if (CertificatePath is { Length: > 0 } && LoadCertificate(out var problem) is null)
        {
            errors.Add(problem);
        }
        else if (CertificatePath is not { Length: > 0 } && CertificateKeyPath is { Length: > 0 })
        {
            errors.Add("CertificateKeyPath is set but CertificatePath is not.");
        }

        return errors;
    }

    /// <summary>The listeners' certificate, or null with the reason it could not be loaded.</summary>
    public X509Certificate2? LoadCertificate(out string problem)
    {
        problem = "";
        var path = CertificatePath!;
        try
        {
            var pkcs12 = path.EndsWith(".pfx", StringComparison.OrdinalIgnoreCase) || path.EndsWith(".p12", StringComparison.OrdinalIgnoreCase);
            var certificate = pkcs12
                ? X509CertificateLoader.LoadPkcs12FromFile(path, CertificatePassword)
                : CertificateKeyPath is { Length: > 0 } key ? X509Certificate2.CreateFromPemFile(path, key) : null;
            if (certificate is null)
            {
                problem = $"CertificatePath '{path}' is PEM: set CertificateKeyPath to its private key (or give a .pfx/.p12 file).";
            }
            else if (!certificate.HasPrivateKey)
            {
                problem = $"The certificate in '{path}' has no private key.";
                certificate.Dispose();
                certificate = null;
            }

            return certificate;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException or CryptographicException)
        {
            problem = $"CertificatePath '{path}' could not be loaded: {e.Message}";
            return null;
        }
    }
}
