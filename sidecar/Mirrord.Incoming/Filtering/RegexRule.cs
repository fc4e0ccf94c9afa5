using System.Text.RegularExpressions;
using Microsoft.Extensions.Logging;
using Mirrord.Incoming.Configuration;

namespace Mirrord.Incoming.Filtering;

/// <summary>A rule that runs one regex; a match that times out counts as no match and is logged.</summary>
public abstract partial class RegexRule : FilterRule
{
    private readonly ILogger _logger;

    private protected RegexRule(FilterRuleConfig config, Regex regex, ILogger logger)
        : base(config)
    {
        Regex = regex;
        _logger = logger;
    }

    internal Regex Regex { get; }

    private protected bool IsMatch(ReadOnlySpan<char> input, FilterDeadline deadline)
    {
        if (deadline.IsSpent)
        {
            FilterMetrics.DeadlinesSpent.Add(1);
            Log.DeadlineSpent(_logger, Config.ConfigPath, deadline.Budget.TotalMilliseconds);
            return false;
        }

        try
        {
            return Regex.IsMatch(input);
        }
        catch (RegexMatchTimeoutException)
        {
            FilterMetrics.MatchTimeouts.Add(1);
            Log.MatchTimedOut(_logger, Config.ConfigPath, Regex.MatchTimeout.TotalMilliseconds, input.Length);
            return false;
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = IncomingEventIds.FilterDeadlineSpent, EventName = "FilterDeadlineSpent", Level = LogLevel.Debug,
            Message = "The filters' {BudgetMs} ms per request were spent before {ConfigPath} was tried; counted as no match.")]
        public static partial void DeadlineSpent(ILogger logger, string configPath, double budgetMs);

        [LoggerMessage(EventId = IncomingEventIds.FilterMatchTimedOut, EventName = "FilterMatchTimedOut", Level = LogLevel.Warning,
            Message = "The pattern of {ConfigPath} ran past its {TimeoutMs} ms limit on a {InputLength}-character input; counted as no match.")]
        public static partial void MatchTimedOut(ILogger logger, string configPath, double timeoutMs, int inputLength);
    }
}
