using Microsoft.Data.Sqlite;
using TaskLens.Core.Access;
using TaskLens.Server.Access;
using TaskLens.Storage.Access;
using TaskLens.Storage.State;

namespace TaskLens.UnitTests.Access;

/// <summary>The real SQLite stores in a temporary file, with the directory and service over them.</summary>
internal sealed class AccessTestStore : IDisposable
{
    private readonly string _directory = System.IO.Directory.CreateTempSubdirectory("tasklens-access-").FullName;

    public AccessTestStore()
    {
        Database = new StateDatabase(Path.Combine(_directory, "state.db"), TimeSpan.FromSeconds(2), [UserStore.Schema, AccessKeyStore.Schema]);
        Database.MigrateAsync(CancellationToken.None).GetAwaiter().GetResult();
        Users = new UserStore(Database);
        Keys = new AccessKeyStore(Database);
        Directory = new AccessKeyDirectory(Keys);
        Service = new AccessService(Users, Keys, Directory, new IdentityPasswordHasher(), TimeProvider.System);
    }

    /// <summary>A directory with no stored key (nothing was ever loaded into it).</summary>
    public static AccessKeyDirectory EmptyDirectory { get; } = new(new AccessKeyStore(null!));

    public StateDatabase Database { get; }
    public UserStore Users { get; }
    public AccessKeyStore Keys { get; }
    public AccessKeyDirectory Directory { get; }
    public AccessService Service { get; }

    public void Dispose()
    {
        SqliteConnection.ClearAllPools();
        System.IO.Directory.Delete(_directory, recursive: true);
    }
}
