using Microsoft.Data.Sqlite;
using TaskLens.Server.Cli;

namespace TaskLens.UnitTests.Access;

public sealed class UsersCommandTests : IDisposable
{
    private readonly string _directory = Directory.CreateTempSubdirectory("tasklens-users-").FullName;

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        Directory.Delete(_directory, recursive: true);
    }

    private string StatePath => "--TaskLens:State:Path=" + Path.Combine(_directory, "state.db");

    [Fact]
    public async Task RunAsync_AddAdminThenList_StoresTheUserWithItsRole()
    {
        var output = new StringWriter();
        var error = new StringWriter();

        var added = await UsersCommand.RunAsync(["add", "ana", "--admin", "--tenant", "acme", "--password-stdin", StatePath], new StringReader("a long enough password\n"), output, error);
        var listed = await UsersCommand.RunAsync(["list", "--tenant", "acme", StatePath], new StringReader(""), output, error);

        Assert.Equal((0, 0, ""), (added, listed, error.ToString()));
        Assert.Contains("added admin 'ana' to tenant 'acme'", output.ToString(), StringComparison.Ordinal);
        Assert.Contains("ana\tadmin\tactive", output.ToString(), StringComparison.Ordinal);
    }

    [Fact]
    public async Task RunAsync_ShortPasswordOrTakenNameOrNoName_IsRefusedWithTheReason()
    {
        var error = new StringWriter();

        Assert.Equal(1, await UsersCommand.RunAsync(["add", "ana", "--password-stdin", StatePath], new StringReader("short\n"), TextWriter.Null, error));
        Assert.Contains("12 to 1024 characters", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(0, await UsersCommand.RunAsync(["add", "ana", "--password-stdin", StatePath], new StringReader("a long enough password\n"), TextWriter.Null, error));
        Assert.Equal(1, await UsersCommand.RunAsync(["add", "ANA", "--password-stdin", StatePath], new StringReader("a long enough password\n"), TextWriter.Null, error));
        Assert.Contains("is taken", error.ToString(), StringComparison.Ordinal);
        Assert.Equal(2, await UsersCommand.RunAsync(["add", "--admin", StatePath], new StringReader(""), TextWriter.Null, error));
        Assert.Equal(2, await UsersCommand.RunAsync(["remove", "ana"], new StringReader(""), TextWriter.Null, error));
    }
}
