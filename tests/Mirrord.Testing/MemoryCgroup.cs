using System.Globalization;

namespace Mirrord.Testing;

/// <summary>
/// A memory cgroup with a limit, as a container's <c>resources.limits.memory</c> makes one: a program
/// started in it (<see cref="Wrap"/>) is charged for its memory and OOM-killed by the kernel past the
/// limit, as the kubelet's container would be. cgroup v2 (<c>memory.max</c>, <c>memory.peak</c>,
/// <c>memory.events</c>) or v1 (<c>memory.limit_in_bytes</c>, <c>memory.max_usage_in_bytes</c>,
/// <c>memory.oom_control</c>), whichever the machine has. Needs root.
/// </summary>
public sealed class MemoryCgroup : IDisposable
{
    private const string V2Root = "/sys/fs/cgroup";
    private const string V1Root = "/sys/fs/cgroup/memory";

    private readonly bool _v2;

    private MemoryCgroup(string folder, bool v2)
    {
        Folder = folder;
        _v2 = v2;
    }

    public string Folder { get; }

    /// <summary>Why no memory cgroup can be made here, or null when one can.</summary>
    public static string? Unavailable()
        => !OperatingSystem.IsLinux() ? "memory cgroups are Linux's"
            : Environment.UserName != "root" ? "making a memory cgroup needs root"
            : File.Exists(Path.Combine(V2Root, "cgroup.controllers")) || File.Exists(Path.Combine(V1Root, "memory.limit_in_bytes")) ? null
            : "this machine has no memory cgroup controller mounted at /sys/fs/cgroup";

    public static MemoryCgroup Create(string name, long limitBytes)
    {
        var v2 = File.Exists(Path.Combine(V2Root, "cgroup.controllers"));
        var folder = Path.Combine(v2 ? V2Root : V1Root, $"{name}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}");
        Directory.CreateDirectory(folder);
        var limit = limitBytes.ToString(CultureInfo.InvariantCulture);
        if (v2)
        {
            File.WriteAllText(Path.Combine(folder, "memory.max"), limit);
            File.WriteAllText(Path.Combine(folder, "memory.swap.max"), "0");
        }
        else
        {
            File.WriteAllText(Path.Combine(folder, "memory.limit_in_bytes"), limit);
        }

        return new MemoryCgroup(folder, v2);
    }

    /// <summary>The command, run inside this cgroup: a shell joins it, then becomes the program.</summary>
    public string[] Wrap(string[] command)
        => ["sh", "-c", "echo $$ > \"$0/cgroup.procs\" && exec \"$@\"", Folder, .. command];

    /// <summary>The most memory ever charged to the cgroup, in bytes.</summary>
    public long PeakBytes => long.Parse(File.ReadAllText(Path.Combine(Folder, _v2 ? "memory.peak" : "memory.max_usage_in_bytes")).Trim(), CultureInfo.InvariantCulture);

    /// <summary>How many processes the kernel's OOM killer ended in the cgroup.</summary>
    public int OomKills
    {
        get
        {
            var lines = File.ReadAllLines(Path.Combine(Folder, _v2 ? "memory.events" : "memory.oom_control"));
            var line = lines.FirstOrDefault(l => l.StartsWith("oom_kill ", StringComparison.Ordinal));
            return line is null ? 0 : int.Parse(line["oom_kill ".Length..], CultureInfo.InvariantCulture);
        }
    }

    public void Dispose()
    {
        // The kernel refuses to remove a cgroup that still holds a process; the test stops its program first.
        try
        {
            Directory.Delete(Folder);
        }
        catch (IOException)
        {
        }
    }
}
