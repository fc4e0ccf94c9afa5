using System.Globalization;
using System.Text;

namespace Mirrord.Webhook.Health;

/// <summary>Counters for <c>/metrics</c> in the Prometheus text format: reviews by outcome, malformed requests, time spent deciding.</summary>
internal sealed class WebhookMetrics
{
    private static readonly string[] s_outcomes = ["injected", "skipped", "denied"];
    private readonly long[] _reviews = new long[s_outcomes.Length];
    private long _malformed;
    private long _durationTicks;

    public void Reviewed(string outcome, TimeSpan duration)
    {
        Interlocked.Increment(ref _reviews[Array.IndexOf(s_outcomes, outcome)]);
        Interlocked.Add(ref _durationTicks, duration.Ticks);
    }

    public void Malformed() => Interlocked.Increment(ref _malformed);

    public string Render()
    {
        var text = new StringBuilder();
        text.Append("# HELP mirrord_webhook_reviews_total AdmissionReviews answered, by outcome.\n# TYPE mirrord_webhook_reviews_total counter\n");
        for (var i = 0; i < s_outcomes.Length; i++)
        {
            text.Append(CultureInfo.InvariantCulture, $"mirrord_webhook_reviews_total{{outcome=\"{s_outcomes[i]}\"}} {Interlocked.Read(ref _reviews[i])}\n");
        }

        text.Append("# HELP mirrord_webhook_malformed_total Requests to /mutate that were not a valid AdmissionReview.\n# TYPE mirrord_webhook_malformed_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"mirrord_webhook_malformed_total {Interlocked.Read(ref _malformed)}\n");
        text.Append("# HELP mirrord_webhook_review_seconds_total Time spent deciding reviews.\n# TYPE mirrord_webhook_review_seconds_total counter\n");
        text.Append(CultureInfo.InvariantCulture, $"mirrord_webhook_review_seconds_total {TimeSpan.FromTicks(Interlocked.Read(ref _durationTicks)).TotalSeconds.ToString("0.######", CultureInfo.InvariantCulture)}\n");
        return text.ToString();
    }
}
