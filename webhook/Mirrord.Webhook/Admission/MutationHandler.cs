using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.Options;
using Mirrord.Injection;
using Mirrord.Webhook.Health;
using Mirrord.Webhook.Hosting;

namespace Mirrord.Webhook.Admission;

/// <summary>
/// <c>POST /mutate</c>: reads an AdmissionReview, runs the shared <see cref="PodInjector"/> and
/// answers with the same uid. A malformed review is a 400 that says what is wrong; a pod the
/// injector denies is refused with the injector's message, which kubectl shows to the user.
/// Dry runs are answered the same way: the injector has no side effects.
/// </summary>
internal sealed partial class MutationHandler
{
    private readonly PodInjector _injector;
    private readonly NamespaceReader _namespaces;
    private readonly WebhookOptions _options;
    private readonly WebhookMetrics _metrics;
    private readonly ILogger<MutationHandler> _logger;

    public MutationHandler(IOptions<InjectionOptions> injection, NamespaceReader namespaces, IOptions<WebhookOptions> options, WebhookMetrics metrics, ILogger<MutationHandler> logger)
    {
        _injector = new PodInjector(injection.Value);
        _namespaces = namespaces;
        _options = options.Value;
        _metrics = metrics;
        _logger = logger;
    }

    public async Task HandleAsync(HttpContext context)
    {
        var started = Stopwatch.GetTimestamp();
        var (review, problem) = await ReadAsync(context);
        if (review?.Request is not { } request)
        {
            _metrics.Malformed();
            Log.Malformed(_logger, problem!);
            context.Response.StatusCode = StatusCodes.Status400BadRequest;
            context.Response.ContentType = "text/plain; charset=utf-8";
            await context.Response.WriteAsync($"mirrord-webhook: {problem}\n");
            return;
        }

        var response = await DecideAsync(request, context.RequestAborted);
        _metrics.Reviewed(response.Allowed ? (response.Patch is null ? "skipped" : "injected") : "denied", Stopwatch.GetElapsedTime(started));
        context.Response.ContentType = "application/json";
        await JsonSerializer.SerializeAsync(
            context.Response.Body, new AdmissionReview(AdmissionReview.Version, "AdmissionReview", null, response), AdmissionJsonContext.Default.AdmissionReview);
    }

    private async Task<AdmissionResponse> DecideAsync(AdmissionRequest request, CancellationToken cancellationToken)
    {
        var uid = request.Uid!;
        if (request.Kind?.Kind != "Pod" || request.Object is not { ValueKind: JsonValueKind.Object } element)
        {
            return new AdmissionResponse(uid, true);
        }

        var pod = JsonNode.Parse(element.GetRawText())!.AsObject();
        var ns = request.Namespace is { Length: > 0 } requestNamespace ? requestNamespace : StringAt(pod, "namespace") ?? "default";
        var name = request.Name is { Length: > 0 } n ? n : StringAt(pod, "name") ?? $"{StringAt(pod, "generateName")}*";
        var (injection, unreadable) = await _namespaces.ReadAsync(ns, cancellationToken);

        // Without the namespace a mesh's opt-in cannot be seen, and a redirect in front of a mesh breaks the app: leave the pod alone.
        var result = injection is null
            ? InjectionResult.Skip(unreadable!, [$"mirrord: {name} was not injected: {unreadable}"])
            : _injector.Inject(pod, injection);
        var warnings = result.Warnings.Count > 0 ? result.Warnings : null;
        switch (result.Outcome)
        {
            case InjectionOutcome.Denied:
                Log.Denied(_logger, ns, name, result.Reason, request.DryRun == true);
                return new AdmissionResponse(uid, false, new AdmissionStatus(StatusCodes.Status400BadRequest, $"mirrord: {result.Reason}", "BadRequest"));
            case InjectionOutcome.Injected:
                Log.Admitted(_logger, ns, name, "injected", result.Reason, request.DryRun == true);
                return new AdmissionResponse(uid, true, Patch: Convert.ToBase64String(Encoding.UTF8.GetBytes(result.Patch.ToJson())), PatchType: "JSONPatch", Warnings: warnings);
            default:
                Log.Admitted(_logger, ns, name, "unchanged", result.Reason, request.DryRun == true);
                return new AdmissionResponse(uid, true, Warnings: warnings);
        }
    }

    private static string? StringAt(JsonObject pod, string metadataField)
        => pod["metadata"]?[metadataField] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private async Task<(AdmissionReview? Review, string? Problem)> ReadAsync(HttpContext context)
    {
        if (context.Request.ContentLength > _options.MaxReviewBytes)
        {
            return (null, $"the body is {context.Request.ContentLength} bytes, over the {_options.MaxReviewBytes}-byte limit");
        }

        AdmissionReview? review;
        try
        {
            review = await JsonSerializer.DeserializeAsync(context.Request.Body, AdmissionJsonContext.Default.AdmissionReview, context.RequestAborted);
        }
        catch (JsonException ex)
        {
            return (null, $"the body is not an AdmissionReview: {ex.Message}");
        }
        catch (BadHttpRequestException ex)
        {
            // A chunked body over the limit, found while reading it.
            return (null, $"the body could not be read: {ex.Message}");
        }

        return review switch
        {
            null => (null, "the body is not an AdmissionReview: it is null"),
            { Kind: not "AdmissionReview" } => (null, $"the body is not an AdmissionReview: kind is \"{review.Kind}\""),
            { ApiVersion: not AdmissionReview.Version } => (null, $"apiVersion is \"{review.ApiVersion}\"; this webhook reads {AdmissionReview.Version} (admissionReviewVersions: [v1])"),
            { Request: null } => (null, "the AdmissionReview has no request"),
            { Request.Uid: null or "" } => (null, "the AdmissionReview's request has no uid"),
            _ => (review, null),
        };
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = WebhookEventIds.Admitted, EventName = "Admitted", Level = LogLevel.Information,
            Message = "Pod {Namespace}/{Name}: {Outcome} ({Reason}); dry run: {DryRun}")]
        public static partial void Admitted(ILogger logger, string @namespace, string name, string outcome, string reason, bool dryRun);

        [LoggerMessage(EventId = WebhookEventIds.Denied, EventName = "Denied", Level = LogLevel.Warning,
            Message = "Pod {Namespace}/{Name} denied: {Reason}; dry run: {DryRun}")]
        public static partial void Denied(ILogger logger, string @namespace, string name, string reason, bool dryRun);

        [LoggerMessage(EventId = WebhookEventIds.MalformedReview, EventName = "MalformedReview", Level = LogLevel.Warning,
            Message = "Rejected a request to /mutate: {Problem}")]
        public static partial void Malformed(ILogger logger, string problem);
    }
}
