using System.Globalization;

namespace TaskLens.Storage.ClickHouse;

/// <summary>A server version such as 18.16.1 or 24.8.4.13, for gating features newer than 18.16.</summary>
public sealed record ClickHouseServerVersion(int Major, int Minor, int Patch, int Build)
{
    public bool IsAtLeast(int major, int minor) => Major > major || (Major == major && Minor >= minor);

    public static bool TryParse(string? text, out ClickHouseServerVersion version)
    {
        version = new ClickHouseServerVersion(0, 0, 0, 0);
        var parts = (text ?? string.Empty).Trim().Split('.');
        if (parts.Length < 2 || parts.Length > 4)
        {
            return false;
        }

        var numbers = new int[4];
        for (var i = 0; i < parts.Length; i++)
        {
            if (!int.TryParse(parts[i], NumberStyles.None, CultureInfo.InvariantCulture, out numbers[i]))
            {
                return false;
            }
        }

        version = new ClickHouseServerVersion(numbers[0], numbers[1], numbers[2], numbers[3]);
        return true;
    }

    public override string ToString() =>
        Build == 0
            ? string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}")
            : string.Create(CultureInfo.InvariantCulture, $"{Major}.{Minor}.{Patch}.{Build}");
}
