using System.Text;
using FsCheck;
using FsCheck.Fluent;
using TaskLens.IntegrationTests.Infrastructure;
using TaskLens.Storage.ClickHouse;

namespace TaskLens.IntegrationTests.Storage;

/// <summary>The ClickHouse client against a real server (Debian's 18.16 here).</summary>
[Collection(ClickHouseCollection.Name)]
public sealed class ClickHouseClientTests(ClickHouseFixture clickHouse)
{
    [Fact]
    public async Task Literal_AnyString_RoundTripsThroughTheServerUnchanged()
    {
        using var client = clickHouse.CreateClient(await clickHouse.CreateDatabaseAsync());

        // Lone surrogates cannot travel as UTF-8 (they become U+FFFD before the server sees them), so the property
        // is stated over well-formed strings; every other character, control characters and NUL included, must survive.
        var strings = ArbMap.Default.GeneratorFor<string>()
            .Where(s => s is not null && !HasLoneSurrogate(s))
            .Select(s => s + "'\\\0\n\t\"`");
        var samples = strings.Sample(200).Concat(["", "'; DROP TABLE x; --", @"\'", "\\", "ünïcødé ✓ 🚀", "\u0001\u001f\u007f"]).ToList();

        // One query for all samples keeps the test quick; each value is compared on its own through hex().
        var select = string.Join(" UNION ALL ", samples.Select((s, i) => $"SELECT {i} AS i, hex({ClickHouseSql.Literal(s)}) AS h"));
        var rows = await client.QueryAsync(select, r => (I: r.GetInt32("i"), Hex: r.GetString("h")), CancellationToken.None);

        Assert.Equal(samples.Count, rows.Count);
        foreach (var (i, hex) in rows)
        {
            Assert.Equal(Convert.ToHexString(Encoding.UTF8.GetBytes(samples[i])), hex);
        }
    }

    [Fact]
    public async Task Literal_InjectionAttempt_IsJustText()
    {
        using var client = clickHouse.CreateClient(await clickHouse.CreateDatabaseAsync());
        await client.ExecuteAsync("CREATE TABLE victim (x UInt8) ENGINE = Memory", CancellationToken.None);
        const string attack = "x'); DROP TABLE victim; SELECT ('";

        var echoed = await client.QueryAsync($"SELECT {ClickHouseSql.Literal(attack)} AS s", r => r.GetString("s"), CancellationToken.None);
        var tables = await client.QueryAsync("SELECT name FROM system.tables WHERE database = currentDatabase()", r => r.GetString("name"), CancellationToken.None);

        Assert.Equal(attack, Assert.Single(echoed));
        Assert.Contains("victim", tables);
    }

    [Fact]
    public async Task InsertRowBinary_EveryColumnTypeWeUse_ReadsBackExactly()
    {
        using var client = clickHouse.CreateClient(await clickHouse.CreateDatabaseAsync());
        await client.ExecuteAsync(
            """
            CREATE TABLE t (u8 UInt8, u16 UInt16, u32 UInt32, u64 UInt64, i8 Int8, i64 Int64, f Float64, s String,
                fs FixedString(8), dt DateTime, a Array(String), aa Array(Array(String)), au Array(UInt64)) ENGINE = Memory
            """,
            CancellationToken.None);
        using var rows = new RowBinaryWriter();
        rows.WriteUInt8(255);
        rows.WriteUInt16(65535);
        rows.WriteUInt32(uint.MaxValue);
        rows.WriteUInt64(ulong.MaxValue);
        rows.WriteInt8(-128);
        rows.WriteInt64(long.MinValue);
        rows.WriteFloat64(0.1 + 0.2);
        rows.WriteString("ünï\0\n'");
        rows.WriteUInt64BigEndian(0x0102030405060708);
        rows.WriteDateTime(1_795_000_000);
        rows.WriteArrayLength(2);
        rows.WriteString("a");
        rows.WriteString(new string('b', 200));
        rows.WriteArrayLength(2);
        rows.WriteArrayLength(1);
        rows.WriteString("x");
        rows.WriteArrayLength(0);
        rows.WriteArrayLength(1);
        rows.WriteUInt64(ulong.MaxValue - 1);

        await client.InsertRowBinaryAsync(
            "t",
            ["u8", "u16", "u32", "u64", "i8", "i64", "f", "s", "fs", "dt", "a", "aa", "au"],
            (stream, ct) => rows.CopyToAsync(stream, ct),
            CancellationToken.None);

        // Rows live only as long as the result document, so the checks run inside the mapper.
        var checkedRows = await client.QueryAsync(
            "SELECT u8, u16, u32, u64, i8, i64, f, s, hex(fs) AS fs, toUnixTimestamp(dt) AS dt, a, aa, au FROM t",
            row =>
            {
                Assert.Equal((255UL, 65535UL, (ulong)uint.MaxValue, ulong.MaxValue), (row.GetUInt64("u8"), row.GetUInt64("u16"), row.GetUInt64("u32"), row.GetUInt64("u64")));
                Assert.Equal((-128L, long.MinValue), (row.GetInt64("i8"), row.GetInt64("i64")));
                Assert.Equal(0.1 + 0.2, row.GetDouble("f"));
                Assert.Equal("ünï\0\n'", row.GetString("s"));
                Assert.Equal("0102030405060708", row.GetString("fs"));
                Assert.Equal(1_795_000_000U, row.GetUInt32("dt"));
                Assert.Equal(["a", new string('b', 200)], row.GetStringArray("a"));
                Assert.Equal("""[["x"],[]]""", row.GetRaw("aa"));
                Assert.Equal([ulong.MaxValue - 1], row.GetUInt64Array("au"));
                return true;
            },
            CancellationToken.None);
        Assert.Single(checkedRows);
    }

    [Fact]
    public async Task SyntaxError_IsTypedCode62AndNotRetried()
    {
        using var client = clickHouse.CreateClient(await clickHouse.CreateDatabaseAsync(), maxRetries: 3);

        var e = await Assert.ThrowsAsync<ClickHouseException>(() => client.ExecuteAsync("SELEC 1", CancellationToken.None));

        Assert.Equal(62, e.Code);
        Assert.False(e.IsTransient);
        Assert.Contains("Syntax error", e.ServerMessage, StringComparison.Ordinal);
    }

    [Fact]
    public async Task MissingTable_IsTypedCode60()
    {
        using var client = clickHouse.CreateClient(await clickHouse.CreateDatabaseAsync());

        var e = await Assert.ThrowsAsync<ClickHouseException>(() => client.QueryAsync("SELECT * FROM nope", r => 0, CancellationToken.None));

        Assert.Equal(60, e.Code);
    }

    [Fact]
    public async Task GetServerVersion_ReportsTheRunningServer()
    {
        using var client = clickHouse.CreateClient(await clickHouse.CreateDatabaseAsync());

        var version = await client.GetServerVersionAsync(CancellationToken.None);
        var text = await client.QueryAsync("SELECT version() AS v", r => r.GetString("v"), CancellationToken.None);

        Assert.True(version.Major >= 18);
        Assert.StartsWith(version.ToString(), text.Single(), StringComparison.Ordinal);
    }

    private static bool HasLoneSurrogate(string s)
    {
        for (var i = 0; i < s.Length; i++)
        {
            if (char.IsHighSurrogate(s[i]) && i + 1 < s.Length && char.IsLowSurrogate(s[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(s[i]))
            {
                return true;
            }
        }

        return false;
    }
}
