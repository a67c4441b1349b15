using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.Configuration.Json;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Server;

namespace TaskLens.IntegrationTests.Server;

/// <summary>How the composed application starts, beyond what each feature's tests cover.</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class StartupTests(ClickHouseFixture clickHouse)
{
    /// <summary>
    /// Reload-on-change puts a file watcher over the whole content root, where the spool and the embedded ClickHouse
    /// keep their files; under load its events cost ~8% of the CPU. Settings are read once at start instead.
    /// </summary>
    [Fact]
    public async Task SettingsFiles_AreReadOnce_NotWatched()
    {
        await using var app = Program.Create(
            ["--TaskLens:Ingest:OpenMode=true", "--TaskLens:Server:ListenAddress=127.0.0.1", $"--TaskLens:ClickHouse:Url={clickHouse.Url}"]);

        var jsonFiles = ((IConfigurationRoot)app.Configuration).Providers.OfType<JsonConfigurationProvider>().ToList();

        Assert.Contains(jsonFiles, p => p.Source.Path == "appsettings.json");
        Assert.All(jsonFiles, p => Assert.False(p.Source.ReloadOnChange, p.Source.Path));
    }
}
