using System.Buffers;
using System.IO.Pipelines;
using System.Text;
using System.Text.Json;

namespace TaskLens.Storage.ClickHouse;

/// <summary>
/// Reads a <c>JSONEachRow</c> answer one line at a time: only the row being mapped is parsed, so a large answer costs
/// the memory of what the caller keeps, not of the whole text and its document.
/// </summary>
internal static class ClickHouseRows
{
    public static async Task<List<T>> ReadAsync<T>(Stream body, Func<ClickHouseRow, T> map, CancellationToken cancellationToken)
    {
        var rows = new List<T>();
        var reader = PipeReader.Create(body, new StreamPipeReaderOptions(bufferSize: 64 * 1024, leaveOpen: true));
        try
        {
            while (true)
            {
                var read = await reader.ReadAsync(cancellationToken);
                var buffer = read.Buffer;
                while (buffer.PositionOf((byte)'\n') is { } end)
                {
                    Map(buffer.Slice(0, end), map, rows);
                    buffer = buffer.Slice(buffer.GetPosition(1, end));
                }

                if (read.IsCompleted)
                {
                    if (!buffer.IsEmpty)
                    {
                        Map(buffer, map, rows);
                    }

                    return rows;
                }

                reader.AdvanceTo(buffer.Start, buffer.End);
            }
        }
        finally
        {
            await reader.CompleteAsync();
        }
    }

    private static void Map<T>(ReadOnlySequence<byte> line, Func<ClickHouseRow, T> map, List<T> rows)
    {
        if (line.IsEmpty)
        {
            return;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(line);
        }
        catch (JsonException)
        {
            // ClickHouse writes an error that happens after the first rows were sent into the answer itself.
            throw ClickHouseException.FromResponse(200, null, Encoding.UTF8.GetString(line.Slice(0, Math.Min(line.Length, 1_000))));
        }

        using (document)
        {
            rows.Add(map(new ClickHouseRow(document.RootElement)));
        }
    }
}
