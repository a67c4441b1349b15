using System.Globalization;
using System.Security;

namespace TaskLens.Server.EmbeddedClickHouse;

/// <summary>
/// The config.xml and users.xml of the embedded server. The <c>yandex</c> root element is what 18.16 requires and
/// current releases still accept. Loopback only; no interserver, MySQL or PostgreSQL ports.
/// </summary>
internal static class ClickHouseConfigFiles
{
    public static string Config(string dataPath, int httpPort, int tcpPort)
    {
        string P(string sub) => SecurityElement.Escape(Path.Combine(dataPath, sub) + "/");
        return string.Create(CultureInfo.InvariantCulture, $"""
            <?xml version="1.0"?>
            <yandex>
                <logger>
                    <level>warning</level>
                    <log>{P("log")}server.log</log>
                    <errorlog>{P("log")}server.err.log</errorlog>
                    <size>100M</size>
                    <count>3</count>
                </logger>
                <listen_host>127.0.0.1</listen_host>
                <http_port>{httpPort}</http_port>
                <tcp_port>{tcpPort}</tcp_port>
                <path>{P("data")}</path>
                <tmp_path>{P("tmp")}</tmp_path>
                <user_files_path>{P("user_files")}</user_files_path>
                <format_schema_path>{P("format_schemas")}</format_schema_path>
                <users_config>users.xml</users_config>
                <default_profile>default</default_profile>
                <default_database>default</default_database>
                <mark_cache_size>268435456</mark_cache_size>
                <uncompressed_cache_size>268435456</uncompressed_cache_size>
                <max_concurrent_queries>100</max_concurrent_queries>
                <mlock_executable>false</mlock_executable>
            </yandex>
            """);
    }

    /// <summary>
    /// The users: <c>default</c>, loopback only, with the password's SHA-256 (the password itself is not written here);
    /// an empty password only for the test run's throwaway servers.
    /// </summary>
    public static string Users(string password) => UsersTemplate.Replace(
        "<password></password>",
        password.Length == 0 ? "<password></password>" : $"<password_sha256_hex>{EmbeddedPassword.Sha256Hex(password)}</password_sha256_hex>",
        StringComparison.Ordinal);

    private const string UsersTemplate = """
        <?xml version="1.0"?>
        <yandex>
            <profiles>
                <default>
                    <max_memory_usage>4000000000</max_memory_usage>
                </default>
            </profiles>
            <users>
                <default>
                    <password></password>
                    <networks>
                        <ip>127.0.0.1</ip>
                        <ip>::1</ip>
                    </networks>
                    <profile>default</profile>
                    <quota>default</quota>
                </default>
            </users>
            <quotas>
                <default>
                    <interval>
                        <duration>3600</duration>
                        <queries>0</queries>
                        <errors>0</errors>
                        <result_rows>0</result_rows>
                        <read_rows>0</read_rows>
                        <execution_time>0</execution_time>
                    </interval>
                </default>
            </quotas>
        </yandex>
        """;
}
