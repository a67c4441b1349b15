using System.Net;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server;

namespace TaskLens.IntegrationTests.Server;

/// <summary>Embedded mode end to end: TaskLens's own clickhouse-server, which no other local account can use.</summary>
public sealed class EmbeddedClickHouseTests : IDisposable
{
    private readonly string _root = Path.Combine(Path.GetTempPath(), "tasklens-embedded-" + Guid.NewGuid().ToString("N")[..8]);

    [Fact]
    public async Task EmbeddedServer_HasAGeneratedPassword_TaskLensUsesIt_AndWithoutItNothingIsAnswered()
    {
        var ports = FreePorts.Take(5);
        var data = Path.Combine(_root, "clickhouse");
        await using (var app = Program.Create(
        [
            "--TaskLens:Ingest:OpenMode=true",
            "--TaskLens:Server:ListenAddress=127.0.0.1",
            $"--TaskLens:Server:ApiPort={ports[0]}",
            $"--TaskLens:Server:OtlpGrpcPort={ports[1]}",
            $"--TaskLens:Server:OtlpHttpPort={ports[2]}",
            $"--TaskLens:ClickHouse:EmbeddedHttpPort={ports[3]}",
            $"--TaskLens:ClickHouse:EmbeddedTcpPort={ports[4]}",
            "--TaskLens:ClickHouse:EmbeddedDataPath=" + data,
            "--TaskLens:Spool:Path=" + Path.Combine(_root, "spool"),
            "--Logging:LogLevel:Default=Warning",
        ]))
        {
            await app.StartAsync();
            using var http = new HttpClient();
            using (var services = await http.GetAsync(new Uri($"http://127.0.0.1:{ports[0]}/api/services")))
            {
                Assert.Equal(HttpStatusCode.OK, services.StatusCode); // TaskLens reads its own server with the password
            }

            var password = await File.ReadAllTextAsync(Path.Combine(data, "password"));
            var query = new Uri($"http://127.0.0.1:{ports[3]}/?query=" + Uri.EscapeDataString("SELECT 1"));
            using var anonymous = await http.GetAsync(query);
            using var wrong = await SendAsync(http, query, "not-the-password");
            using var right = await SendAsync(http, query, password);

            Assert.False(anonymous.IsSuccessStatusCode, "a passwordless request was answered");
            Assert.False(wrong.IsSuccessStatusCode, "a wrong password was accepted");
            Assert.Equal("1", (await right.Content.ReadAsStringAsync()).Trim());
            Assert.DoesNotContain(password, await File.ReadAllTextAsync(Path.Combine(data, "users.xml")), StringComparison.Ordinal);
            await app.StopAsync();
        }
    }

    public void Dispose()
    {
        try
        {
            Directory.Delete(_root, recursive: true);
        }
        catch (IOException)
        {
            // A leftover temp directory is harmless.
        }
    }

    private static async Task<HttpResponseMessage> SendAsync(HttpClient http, Uri query, string password)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, query);
        request.Headers.Add("X-ClickHouse-User", "default");
        request.Headers.Add("X-ClickHouse-Key", password);
        return await http.SendAsync(request);
    }
}
