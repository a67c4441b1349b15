using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// <c>/readyz</c>: the spool takes writes — it is not refusing them after a failed write (a full or read-only disk), and
/// a probe file can be written, flushed and deleted in its directory now. With the spool off there is nothing to check.
/// </summary>
internal sealed class SpoolReadiness(DiskSpool? spool = null) : IHealthCheck
{
    public const string Name = "spool";

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (spool is null)
        {
            return HealthCheckResult.Healthy("off: exports are acknowledged once ClickHouse holds them");
        }

        if (spool.WriteFailure is { } failure)
        {
            return HealthCheckResult.Unhealthy($"refusing writes since {failure.Since:O}");
        }

        var probe = Path.Combine(spool.Directory, $".ready-{Guid.NewGuid():N}");
        try
        {
            await using (var file = new FileStream(probe, FileMode.CreateNew, FileAccess.Write, FileShare.None, 1, FileOptions.WriteThrough))
            {
                await file.WriteAsync(new byte[] { 1 }, cancellationToken);
            }

            return HealthCheckResult.Healthy("writable");
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return HealthCheckResult.Unhealthy("not writable", e);
        }
        finally
        {
            try
            {
                File.Delete(probe);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // The probe could not be written in the first place, or the disk turned read-only meanwhile: nothing to keep.
            }
        }
    }
}
