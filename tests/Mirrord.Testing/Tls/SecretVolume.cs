using System.Globalization;
using System.Security.Cryptography.X509Certificates;

namespace Mirrord.Testing.Tls;

/// <summary>
/// A STAND-IN for the kubelet's projection of a kubernetes.io/tls Secret into a volume, laid out as
/// its atomic writer does it (kubernetes pkg/volume/util/atomic_writer.go): the files live in a
/// timestamped folder <c>..2026_11_30_10_00_00.123</c>, <c>..data</c> links to it, and each key
/// (<c>tls.crt</c>, <c>tls.key</c>, <c>ca.crt</c>) links to <c>..data/key</c>. An update writes a new
/// folder, points a <c>..data_tmp</c> link at it, renames that over <c>..data</c> in one step, then
/// removes the old folder; a reader never sees half a Secret. Files are 0644, the default mode of
/// a Secret volume, so the sidecar's unprivileged uid reads them.
/// </summary>
public sealed partial class SecretVolume : IDisposable
{
    private int _versions;

    private SecretVolume(string path)
    {
        Path = path;
    }

    /// <summary>The mount point, as the container sees it.</summary>
    public string Path { get; }

    /// <summary>An empty mount: an optional Secret volume whose Secret does not exist (yet).</summary>
    public static SecretVolume Empty()
    {
        var path = Directory.CreateTempSubdirectory("mirrord-secret-").FullName;
        SetMode(path, (UnixFileMode)0b111_101_101);
        return new SecretVolume(path);
    }

    public static SecretVolume With(X509Certificate2 certificate, string? authorityPem = null)
    {
        var volume = Empty();
        volume.Write(certificate, authorityPem);
        return volume;
    }

    /// <summary>A Secret holding only <c>ca.crt</c>, as one that names the authorities an app trusts for its callers.</summary>
    public static SecretVolume WithAuthorities(string authorityPem)
    {
        var volume = Empty();
        volume.WriteFiles(new Dictionary<string, string> { ["ca.crt"] = authorityPem });
        return volume;
    }

    /// <summary>Writes (or updates, as the kubelet does when the Secret changes) tls.crt, tls.key and, when given, ca.crt.</summary>
    public void Write(X509Certificate2 certificate, string? authorityPem = null)
    {
        var files = new Dictionary<string, string>
        {
            ["tls.crt"] = certificate.ExportCertificatePem(),
            ["tls.key"] = ((System.Security.Cryptography.AsymmetricAlgorithm?)certificate.GetECDsaPrivateKey() ?? certificate.GetRSAPrivateKey()!).ExportPkcs8PrivateKeyPem(),
        };
        if (authorityPem is not null)
        {
            files["ca.crt"] = authorityPem;
        }

        WriteFiles(files);
    }

    private void WriteFiles(Dictionary<string, string> files)
    {
        var version = $"..{DateTime.UtcNow:yyyy_MM_dd_HH_mm_ss}.{(++_versions).ToString(CultureInfo.InvariantCulture)}";
        var folder = System.IO.Path.Combine(Path, version);
        Directory.CreateDirectory(folder);
        SetMode(folder, (UnixFileMode)0b111_101_101);
        foreach (var (name, content) in files)
        {
            var file = System.IO.Path.Combine(folder, name);
            File.WriteAllText(file, content);
            SetMode(file, (UnixFileMode)0b110_100_100);
        }

        var data = System.IO.Path.Combine(Path, "..data");
        var old = Directory.Exists(data) ? new DirectoryInfo(data).LinkTarget : null;
        var temporary = System.IO.Path.Combine(Path, "..data_tmp");
        File.Delete(temporary);
        File.CreateSymbolicLink(temporary, version);
        RenameOver(temporary, data);
        foreach (var name in files.Keys)
        {
            var visible = System.IO.Path.Combine(Path, name);
            if (!File.Exists(visible))
            {
                File.CreateSymbolicLink(visible, System.IO.Path.Combine("..data", name));
            }
        }

        if (old is not null && old != version)
        {
            Directory.Delete(System.IO.Path.Combine(Path, old), recursive: true);
        }
    }

    public void Dispose() => Directory.Delete(Path, recursive: true);

    private static void SetMode(string path, UnixFileMode mode)
    {
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(path, mode);
        }
    }

    // rename(2) replaces the link in one step, as the kubelet's os.Rename does; File.Move refuses a link to a folder.
    private static void RenameOver(string source, string destination)
    {
        if (Rename(source, destination) != 0)
        {
            throw new IOException($"rename {source} {destination}: errno {System.Runtime.InteropServices.Marshal.GetLastPInvokeError()}");
        }
    }

    [System.Runtime.InteropServices.LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = System.Runtime.InteropServices.StringMarshalling.Utf8)]
    private static partial int Rename(string source, string destination);
}
