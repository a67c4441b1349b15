using Microsoft.Data.Sqlite;
using TaskLens.Core.Slack;
using TaskLens.Storage.State;

namespace TaskLens.UnitTests.Storage;

public sealed class SlackStateStoreTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tasklens-slack-state-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private async Task<SlackStateStore> CreateAsync()
    {
        var database = new StateDatabase(Path.Combine(_directory, "state.db"), TimeSpan.FromSeconds(2), [SlackStateStore.Schema]);
        await database.MigrateAsync(CancellationToken.None);
        return new SlackStateStore(database);
    }

    [Fact]
    public async Task SaveMessageAsync_ThenAnotherStore_FindsTheSameMessage_AndTheLatestVersion()
    {
        var store = await CreateAsync();
        Assert.Null(await store.FindMessageAsync("default", "inc-1", CancellationToken.None));

        await store.SaveMessageAsync(new SlackMessageRef("default", "inc-1", "C1", "1.0001", 0), CancellationToken.None);
        await store.SaveMessageAsync(new SlackMessageRef("default", "inc-1", "C1", "1.0001", 7), CancellationToken.None);
        await store.SaveMessageAsync(new SlackMessageRef("acme", "inc-1", "C2", "2.0001", 1), CancellationToken.None);

        var restarted = await CreateAsync();
        Assert.Equal(new SlackMessageRef("default", "inc-1", "C1", "1.0001", 7), await restarted.FindMessageAsync("default", "inc-1", CancellationToken.None));
        Assert.Equal("C2", (await restarted.FindMessageAsync("acme", "inc-1", CancellationToken.None))!.Channel);
    }

    [Fact]
    public async Task LinkUserAsync_ReplacesTheLink_AndUnlinkRemovesIt()
    {
        var store = await CreateAsync();
        await store.LinkUserAsync("U1", "ana", CancellationToken.None);
        await store.LinkUserAsync("U2", "ana", CancellationToken.None);
        await store.LinkUserAsync("U1", "bo", CancellationToken.None);

        Assert.Equal("bo", await store.FindUserAsync("U1", CancellationToken.None));
        Assert.Equal(["U2"], await store.SlackUsersOfAsync("ana", CancellationToken.None));
        Assert.True(await store.UnlinkUserAsync("U1", CancellationToken.None));
        Assert.False(await store.UnlinkUserAsync("U1", CancellationToken.None));
        Assert.Null(await store.FindUserAsync("U1", CancellationToken.None));
    }
}
