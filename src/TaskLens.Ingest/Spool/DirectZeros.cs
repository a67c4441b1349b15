using System.Runtime.InteropServices;
using Microsoft.Win32.SafeHandles;

namespace TaskLens.Ingest.Spool;

/// <summary>
/// Zeros written past the page cache (<c>O_DIRECT</c>, Linux), for <see cref="SegmentPreallocator"/>. Written through the
/// cache, each zero is first copied into a newly allocated cache page, and that copy cost more CPU than the spool's own
/// append of the same bytes into those pages later (docs/ingest.md, "The whole process under load"). Direct writes hand
/// the device the same aligned chunk of zeros every time; the appends then allocate their pages themselves, and a
/// page an append covers only in part is read back from the disk once (zeros). <c>O_DIRECT</c> needs the buffer, the
/// offset and the length aligned to the device's block size: <see cref="Alignment"/> covers 512- and 4096-byte blocks.
/// </summary>
internal static unsafe partial class DirectZeros
{
    public const int Alignment = 4096;

    /// <summary>The most zeros one write takes.</summary>
    public const int Capacity = 1024 * 1024;

    private const int GetFlags = 3; // F_GETFL
    private const int SetFlags = 4; // F_SETFL

    private static readonly Lock Gate = new();
    private static byte* s_zeros;

    /// <summary>
    /// Turns <c>O_DIRECT</c> on for <paramref name="file"/>; false off Linux, on an architecture whose flag value is not
    /// known here, or where the file system refuses it (then the file is written through the cache as before).
    /// </summary>
    public static bool TryEnable(SafeFileHandle file)
    {
        if (!OperatingSystem.IsLinux() || DirectFlag() is not { } direct)
        {
            return false;
        }

        var added = false;
        try
        {
            file.DangerousAddRef(ref added);
            var fd = (int)file.DangerousGetHandle();
            var flags = Fcntl(fd, GetFlags, 0);
            return flags >= 0 && Fcntl(fd, SetFlags, flags | direct) == 0;
        }
        finally
        {
            if (added)
            {
                file.DangerousRelease();
            }
        }
    }

    /// <summary>
    /// <paramref name="length"/> (at most <see cref="Capacity"/>) zeros at an <see cref="Alignment"/>-aligned address:
    /// one native block a process, made on first use, never written to and never freed.
    /// </summary>
    public static ReadOnlySpan<byte> Get(int length)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(length, Capacity);
        lock (Gate)
        {
            if (s_zeros is null)
            {
                var zeros = (byte*)NativeMemory.AlignedAlloc(Capacity, Alignment);
                NativeMemory.Clear(zeros, Capacity);
                s_zeros = zeros;
            }

            return new ReadOnlySpan<byte>(s_zeros, length);
        }
    }

    /// <summary>The <c>O_DIRECT</c> flag's value on Linux, which differs by architecture (asm-generic/fcntl.h).</summary>
    private static int? DirectFlag() => RuntimeInformation.ProcessArchitecture switch
    {
        Architecture.X64 or Architecture.X86 or Architecture.RiscV64 or Architecture.LoongArch64 or Architecture.S390x => 0x4000,
        Architecture.Arm64 or Architecture.Arm => 0x10000,
        _ => null,
    };

    [LibraryImport("libc", EntryPoint = "fcntl", SetLastError = true)]
    private static partial int Fcntl(int fd, int command, int argument);
}
