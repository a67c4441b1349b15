using System.Globalization;
using System.Text.RegularExpressions;

namespace TaskLens.Storage.Schema;

/// <summary>
/// The cluster form of the single-node schema steps, made by rewriting them, so every migration — also ones added
/// later — gets it without a second schema to keep in step. Fed every migration in order (applied ones too: it learns
/// each table's sharding key from its CREATE):
/// <list type="bullet">
/// <item><c>CREATE TABLE t (…) ENGINE = XMergeTree(args) …</c> becomes <c>t_local</c> as
/// <c>ReplicatedXMergeTree('PATH/db/t_local/ID', '{replica}', args)</c> on every server, and <c>t</c> a Distributed table
/// over it, which is what readers and writers name. The sharding key is the trace id where the sorting key holds one
/// (a trace's spans live on one shard, so per-shard IN and JOIN on a trace are whole), else a hash of the whole
/// sorting key: either way every copy of a row lands on the shard where ReplacingMergeTree folds it. A table a
/// single-node step partitions by month (<c>toYYYYMM(c)</c>) is partitioned by day (<c>toDate(c)</c>), the form
/// retention drops whole days of: a single server's tables are moved to days at start (Retention/DailyPartitions), but a
/// replicated table cannot be re-partitioned in place, so a cluster starts by day.</item>
/// <item><c>CREATE MATERIALIZED VIEW v TO t AS SELECT … FROM s</c> becomes a view on every server from <c>s_local</c> into
/// <c>t_local</c>: each server's view sees the rows inserted there, and the replicated target carries the result to
/// the other replicas.</item>
/// <item><c>ALTER TABLE t …</c> goes to <c>t_local</c>; a column change also re-creates the Distributed <c>t</c> over the
/// new structure (18.16 refuses ALTER ON CLUSTER on a Distributed table over replicated shards).</item>
/// <item><c>DROP TABLE</c>, <c>RENAME TABLE</c>, <c>OPTIMIZE TABLE</c> and <c>INSERT INTO … SELECT</c> follow.</item>
/// </list>
/// Everything is <c>ON CLUSTER</c> and database-qualified (a server running a distributed DDL task resolves bare names
/// in its default database). A statement of another kind is refused with its migration id rather than run unchanged.
/// The ZooKeeper path ends in the migration id, so a table dropped or renamed and created again never meets its old
/// replicas' path.
/// </summary>
internal sealed partial class ClusterSchema(string cluster, string database, string replicationPath)
{
    public const string LocalSuffix = "_local";

    private readonly Dictionary<string, string> _shardingKeys = new(StringComparer.Ordinal);
    private readonly HashSet<string> _views = new(StringComparer.Ordinal);

    private string OnCluster => $" ON CLUSTER {cluster}";

    /// <summary>The database-qualified name of the table each server holds its part of <paramref name="table"/> in.</summary>
    public string Local(string table) => $"{database}.{table}{LocalSuffix}";

    public IReadOnlyList<string> Rewrite(Migration migration)
    {
        ArgumentNullException.ThrowIfNull(migration);
        return migration.Statements.SelectMany(s => Rewrite(migration.Id, s)).ToList();
    }

    public IReadOnlyList<string> Rewrite(int migrationId, string statement)
    {
        ArgumentNullException.ThrowIfNull(statement);
        var sql = statement.Trim();
        if (CreateTablePattern().Match(sql) is { Success: true } create)
        {
            return CreateTable(migrationId, create.Groups["name"].Value, sql[create.Length..]);
        }

        if (CreateViewPattern().Match(sql) is { Success: true } view)
        {
            var name = view.Groups["name"].Value;
            _views.Add(name);
            return [$"CREATE MATERIALIZED VIEW IF NOT EXISTS {database}.{name}{OnCluster} TO {Local(KnownTable(migrationId, view.Groups["target"].Value))} AS {QualifySources(view.Groups["select"].Value, local: true)}"];
        }

        if (AlterPattern().Match(sql) is { Success: true } alter)
        {
            return Alter(migrationId, alter.Groups["name"].Value, alter.Groups["ops"].Value);
        }

        if (DropPattern().Match(sql) is { Success: true } drop)
        {
            var name = drop.Groups["name"].Value;
            if (_views.Remove(name))
            {
                return [$"DROP TABLE IF EXISTS {database}.{name}{OnCluster}"];
            }

            _shardingKeys.Remove(name);
            return [$"DROP TABLE IF EXISTS {database}.{name}{OnCluster}", $"DROP TABLE IF EXISTS {Local(name)}{OnCluster}"];
        }

        if (RenamePattern().Match(sql) is { Success: true } rename)
        {
            return Rename(migrationId, rename.Groups["pairs"].Value);
        }

        if (OptimizePattern().Match(sql) is { Success: true } optimize)
        {
            return [$"OPTIMIZE TABLE {Local(KnownTable(migrationId, optimize.Groups["name"].Value))}{OnCluster}{optimize.Groups["rest"].Value}"];
        }

        if (InsertSelectPattern().Match(sql) is { Success: true } insert)
        {
            // Through the Distributed tables, on the server TaskLens talks to: it reads every shard and the client's
            // synchronous distributed insert writes each row to its shard.
            return [$"INSERT INTO {database}.{KnownTable(migrationId, insert.Groups["name"].Value)}{QualifySources(insert.Groups["rest"].Value, local: false)}"];
        }

        throw new NotSupportedException(
            $"Schema migration {migrationId}: cluster mode has no rewrite for '{FirstWords(sql)}…'. Supported: CREATE TABLE … ENGINE = *MergeTree, "
            + "CREATE MATERIALIZED VIEW … TO, ALTER TABLE, DROP TABLE, RENAME TABLE, OPTIMIZE TABLE, INSERT INTO … SELECT (src/TaskLens.Storage/Schema/ClusterSchema.cs).");
    }

    private List<string> CreateTable(int migrationId, string name, string afterName)
    {
        var columnsEnd = ClosingParenthesis(afterName, 0);
        var columns = afterName[..(columnsEnd + 1)];
        var rest = afterName[(columnsEnd + 1)..];
        var engine = EnginePattern().Match(rest);
        if (!engine.Success)
        {
            throw new NotSupportedException($"Schema migration {migrationId}: cluster mode replicates only *MergeTree tables; '{name}' has another engine.");
        }

        var afterEngine = MonthPartitionPattern().Replace(rest[engine.Length..], "PARTITION BY toDate(${column})");
        var arguments = string.Empty;
        if (afterEngine.StartsWith('('))
        {
            var end = ClosingParenthesis(afterEngine, 0);
            arguments = afterEngine[1..end].Trim();
            afterEngine = afterEngine[(end + 1)..];
        }

        var replicated = ReplicatedEngine(name, migrationId.ToString(CultureInfo.InvariantCulture), engine.Groups["engine"].Value, arguments);
        var key = ShardingKey(migrationId, name, afterEngine);
        _shardingKeys[name] = key;
        return
        [
            $"CREATE TABLE IF NOT EXISTS {Local(name)}{OnCluster}\n{columns}\nENGINE = {replicated} {afterEngine.TrimStart()}",
            Distributed(name),
        ];
    }

    /// <summary>
    /// The replicated form of a <c>*MergeTree</c> engine for <paramref name="table"/>'s local table, at ZooKeeper path
    /// <c>PATH/DATABASE/TABLE_local/LEAF</c> (the leaf tells apart tables that held the name at different times).
    /// </summary>
    public string ReplicatedEngine(string table, string pathLeaf, string engine, string arguments) =>
        $"Replicated{engine}('{replicationPath}/{database}/{table}{LocalSuffix}/{pathLeaf}', '{{replica}}'{(arguments.Length == 0 ? "" : ", " + arguments)})";

    private List<string> Alter(int migrationId, string name, string operations)
    {
        KnownTable(migrationId, name);
        var statements = new List<string> { $"ALTER TABLE {Local(name)}{OnCluster} {operations}" };
        if (SplitTopLevel(operations).Any(op => ColumnOperationPattern().IsMatch(op)))
        {
            statements.Add($"DROP TABLE IF EXISTS {database}.{name}{OnCluster}");
            statements.Add(Distributed(name));
        }

        return statements;
    }

    private List<string> Rename(int migrationId, string pairs)
    {
        var renames = SplitTopLevel(pairs).Select(p => RenamePairPattern().Match(p.Trim())).ToList();
        if (renames.Any(m => !m.Success))
        {
            throw new NotSupportedException($"Schema migration {migrationId}: cluster mode cannot read the RENAME TABLE pairs '{pairs.Trim()}'.");
        }

        var moves = renames.Select(m => (From: m.Groups["from"].Value, To: m.Groups["to"].Value)).ToList();
        var statements = new List<string>();
        foreach (var (from, to) in moves)
        {
            statements.Add($"DROP TABLE IF EXISTS {database}.{from}{OnCluster}");
            statements.Add($"DROP TABLE IF EXISTS {database}.{to}{OnCluster}");
        }

        statements.Add($"RENAME TABLE {string.Join(", ", moves.Select(m => $"{Local(KnownTable(migrationId, m.From))} TO {Local(m.To)}"))}{OnCluster}");

        // Applied in order as the server does, so a swap (a → a_old, a_new → a) ends with the right keys.
        foreach (var (from, to) in moves)
        {
            _shardingKeys[to] = _shardingKeys[from];
            _shardingKeys.Remove(from);
        }

        statements.AddRange(moves.Select(m => m.To).Distinct(StringComparer.Ordinal).Select(Distributed));
        return statements;
    }

    private string Distributed(string name) =>
        $"CREATE TABLE IF NOT EXISTS {database}.{name}{OnCluster} AS {Local(name)} ENGINE = Distributed({cluster}, {database}, {name}{LocalSuffix}, {_shardingKeys[name]})";

    private string KnownTable(int migrationId, string name) =>
        _shardingKeys.ContainsKey(name)
            ? name
            : throw new NotSupportedException($"Schema migration {migrationId}: cluster mode knows no table '{name}' created by an earlier migration.");

    /// <summary>
    /// The trace id where the sorting key holds one, else a hash of the whole sorting key: copies of a row share their
    /// sorting key, so they meet on one shard.
    /// </summary>
    private static string ShardingKey(int migrationId, string table, string afterEngine)
    {
        var order = OrderByPattern().Match(afterEngine);
        if (!order.Success)
        {
            throw new NotSupportedException($"Schema migration {migrationId}: table '{table}' has no ORDER BY to derive a sharding key from.");
        }

        var text = afterEngine[(order.Index + order.Length)..].TrimStart();
        List<string> columns;
        if (text.StartsWith('('))
        {
            columns = SplitTopLevel(text[1..ClosingParenthesis(text, 0)]).Select(c => c.Trim()).Where(c => c.Length > 0).ToList();
        }
        else
        {
            var single = SingleExpressionPattern().Match(text).Value.Trim();
            columns = single is "" or "tuple()" ? [] : [single];
        }

        if (columns.Count == 0)
        {
            return "rand()";
        }

        return columns.Contains("trace_id", StringComparer.Ordinal)
            ? "cityHash64(trace_id)"
            : $"cityHash64({string.Join(", ", columns)})";
    }

    /// <summary>Table names after FROM and JOIN, database-qualified (and local, inside a server's view).</summary>
    private string QualifySources(string select, bool local) =>
        SourcePattern().Replace(select, m => _shardingKeys.ContainsKey(m.Groups["table"].Value)
            ? $"{m.Groups["keyword"].Value} {(local ? Local(m.Groups["table"].Value) : $"{database}.{m.Groups["table"].Value}")}"
            : m.Value);

    private static int ClosingParenthesis(string text, int open)
    {
        foreach (var (i, c, depth) in Unquoted(text, open))
        {
            if (c == ')' && depth == 0)
            {
                return i;
            }
        }

        throw new NotSupportedException($"Unbalanced parentheses in '{FirstWords(text)}…'.");
    }

    private static List<string> SplitTopLevel(string text)
    {
        var parts = new List<string>();
        var start = 0;
        foreach (var (i, c, depth) in Unquoted(text, 0))
        {
            if (c == ',' && depth == 0)
            {
                parts.Add(text[start..i]);
                start = i + 1;
            }
        }

        parts.Add(text[start..]);
        return parts;
    }

    /// <summary>
    /// The characters of <paramref name="text"/> from <paramref name="start"/> that are outside string literals (quotes
    /// and their backslash escapes skipped), each with the depth of parentheses once it is read.
    /// </summary>
    private static IEnumerable<(int Index, char Char, int Depth)> Unquoted(string text, int start)
    {
        var depth = 0;
        var quoted = false;
        for (var i = start; i < text.Length; i++)
        {
            var c = text[i];
            if (quoted)
            {
                if (c == '\\')
                {
                    i++;
                }
                else if (c == '\'')
                {
                    quoted = false;
                }

                continue;
            }

            switch (c)
            {
                case '\'':
                    quoted = true;
                    continue;
                case '(':
                    depth++;
                    break;
                case ')':
                    depth--;
                    break;
            }

            yield return (i, c, depth);
        }
    }

    private static string FirstWords(string sql) => string.Join(' ', sql.Split((char[]?)null, 5, StringSplitOptions.RemoveEmptyEntries).Take(4));

    [GeneratedRegex(@"^CREATE\s+TABLE\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<name>[A-Za-z_]\w*)\s*(?=\()", RegexOptions.IgnoreCase)]
    private static partial Regex CreateTablePattern();

    [GeneratedRegex(@"^\s*ENGINE\s*=\s*(?<engine>(?:Replacing|Aggregating|Summing|Collapsing|VersionedCollapsing|Graphite)?MergeTree)\b\s*", RegexOptions.IgnoreCase)]
    private static partial Regex EnginePattern();

    [GeneratedRegex(@"\bPARTITION\s+BY\s+toYYYYMM\((?<column>[A-Za-z_]\w*)\)", RegexOptions.IgnoreCase)]
    private static partial Regex MonthPartitionPattern();

    [GeneratedRegex(@"\bORDER\s+BY\b", RegexOptions.IgnoreCase)]
    private static partial Regex OrderByPattern();

    [GeneratedRegex(@"^[^\s]+")]
    private static partial Regex SingleExpressionPattern();

    [GeneratedRegex(@"^CREATE\s+MATERIALIZED\s+VIEW\s+(?:IF\s+NOT\s+EXISTS\s+)?(?<name>[A-Za-z_]\w*)\s+TO\s+(?<target>[A-Za-z_]\w*)\s+AS\s+(?<select>.+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex CreateViewPattern();

    [GeneratedRegex(@"^ALTER\s+TABLE\s+(?<name>[A-Za-z_]\w*)\s+(?<ops>.+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex AlterPattern();

    [GeneratedRegex(@"^\s*(?:ADD|DROP|MODIFY|COMMENT|RENAME)\s+COLUMN\b", RegexOptions.IgnoreCase)]
    private static partial Regex ColumnOperationPattern();

    [GeneratedRegex(@"^DROP\s+(?:TABLE|VIEW)\s+(?:IF\s+EXISTS\s+)?(?<name>[A-Za-z_]\w*)\s*$", RegexOptions.IgnoreCase)]
    private static partial Regex DropPattern();

    [GeneratedRegex(@"^RENAME\s+TABLE\s+(?<pairs>.+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex RenamePattern();

    [GeneratedRegex(@"^(?<from>[A-Za-z_]\w*)\s+TO\s+(?<to>[A-Za-z_]\w*)$", RegexOptions.IgnoreCase)]
    private static partial Regex RenamePairPattern();

    [GeneratedRegex(@"^OPTIMIZE\s+TABLE\s+(?<name>[A-Za-z_]\w*)(?<rest>.*)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex OptimizePattern();

    [GeneratedRegex(@"^INSERT\s+INTO\s+(?<name>[A-Za-z_]\w*)(?<rest>\s*(?:\([^)]*\))?\s*SELECT\b.+)$", RegexOptions.IgnoreCase | RegexOptions.Singleline)]
    private static partial Regex InsertSelectPattern();

    [GeneratedRegex(@"\b(?<keyword>FROM|JOIN)\s+(?<table>[A-Za-z_]\w*)\b(?!\s*[.(])", RegexOptions.IgnoreCase)]
    private static partial Regex SourcePattern();
}
