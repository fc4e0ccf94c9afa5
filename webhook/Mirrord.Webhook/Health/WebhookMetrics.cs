using System.Diagnostics.Metrics;

namespace Mirrord.Webhook.Health;

/// <summary>
/// The webhook's instruments on the <see cref="MeterName"/> meter: reviews by outcome with the time
/// spent deciding each (an API server waits on it for every pod it admits), and malformed requests.
/// </summary>
internal sealed class WebhookMetrics
{
    public const string MeterName = "Mirrord.Webhook";

    /// <summary>Seconds: the API server's default webhook timeout is 10 s, and ours asks for less.</summary>
    private static readonly double[] s_durationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private readonly Histogram<double> _reviewDuration;
    private readonly Counter<long> _malformed;

    public WebhookMetrics(IMeterFactory meters)
    {
        var meter = meters.Create(MeterName);
        _reviewDuration = meter.CreateHistogram(
            "mirrord.webhook.review.duration", unit: "s", description: "AdmissionReviews answered, by outcome (injected, skipped, denied), and the time spent deciding each.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = s_durationBuckets });
        _malformed = meter.CreateCounter<long>("mirrord.webhook.malformed", description: "Requests to /mutate that were not a valid AdmissionReview.");
    }

    public void Reviewed(string outcome, TimeSpan duration) => _reviewDuration.Record(duration.TotalSeconds, new KeyValuePair<string, object?>("outcome", outcome));

    public void Malformed() => _malformed.Add(1);
}
