using Yarp.ReverseProxy.Forwarder;

namespace Mirrord.Sidecar.Forwarding;

/// <summary>Which side a forwarding error came from.</summary>
internal static class ForwarderErrors
{
    /// <summary>
    /// The caller cancelled, hung up, or stopped reading or sending (YARP's *Canceled and *Client
    /// errors): routine, and nothing to answer, since nobody is listening.
    /// </summary>
    public static bool IsCallerSide(ForwarderError error)
        => error is ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.RequestBodyClient
            or ForwarderError.ResponseBodyCanceled or ForwarderError.ResponseBodyClient
            or ForwarderError.UpgradeRequestCanceled or ForwarderError.UpgradeRequestClient
            or ForwarderError.UpgradeResponseCanceled or ForwarderError.UpgradeResponseClient;
}
