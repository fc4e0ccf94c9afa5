namespace Mirrord.Sidecar;

/// <summary>Log event IDs of mirrord-sidecar (2xxx); each has an EventName and is never reused.</summary>
internal static class SidecarEventIds
{
    public const int Listening = 2000;
    public const int AppUnreachable = 2001;
    public const int UnknownOriginalPort = 2002;
    public const int ConnectionRelayedRaw = 2003;
    public const int CallerHungUp = 2004;
    public const int SessionStarted = 2010;
    public const int SessionEnded = 2011;
    public const int SessionRefused = 2012;
    public const int TunnelAttached = 2013;
    public const int BadSessionFrame = 2014;
    public const int SessionsKilled = 2015;
    public const int KillRefused = 2016;
    public const int AdminSocketUnavailable = 2017;
    public const int StolenRequestFailed = 2020;
    public const int MirrorCopyFailed = 2021;
    public const int MirrorCopyDropped = 2022;
    public const int PassThroughFailed = 2023;
    public const int ProbeKept = 2024;
    public const int BufferBudgetSpent = 2025;
    public const int TlsCertificateLoaded = 2030;
    public const int TlsCertificateExpired = 2031;
    public const int TlsNoCertificate = 2032;
    public const int TlsReloadFailed = 2033;
    public const int TlsPortNotFiltered = 2034;
    public const int TlsHandshakeFailed = 2035;
    public const int TlsNotHttp = 2036;
    public const int TlsCallerIdle = 2037;
    public const int TlsPortFilteredAgain = 2038;
    public const int OutgoingOpened = 2040;
    public const int OutgoingRefused = 2041;
    public const int OutgoingFailed = 2042;
    public const int OutgoingClosed = 2043;
}
