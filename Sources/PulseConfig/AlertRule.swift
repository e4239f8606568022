import PulseDiagnostics

/// How loud a firing alert is: `warn` is "look at this today", `critical` is "wake someone up".
/// Ordered: warn < critical.
public enum AlertSeverity: String, Sendable, CaseIterable, Comparable {
    case warn
    case critical

    public static func < (a: AlertSeverity, b: AlertSeverity) -> Bool { a == .warn && b == .critical }
}

/// What a card tells the merchant: one closed set, used by every channel (table, JSON, history,
/// API, metrics, dashboard, `pulse test` expectations).
public enum CardState: String, Sendable, CaseIterable {
    /// A value, and an alert that does not fire.
    case ok
    /// The alert's condition holds, but not yet for as many evaluations as its `for` asks.
    case pending
    /// The alert fires, at a severity (warn or critical).
    case firing
    /// No value can be trusted: a file the card reads is missing, or too many listing SKUs found
    /// no BigCommerce stock record.
    case noData = "no_data"
    /// The data is older than `stale_after`: the value is shown, marked stale, and changes no
    /// alert state.
    case stale
    /// A value, and no alert set (no trigger in the card, or `alert: null` in the profile):
    /// never shown as ok.
    case none

    /// How people read it: `ok`, `no data`, `no alert set`.
    public var words: String {
        switch self {
        case .noData: "no data"
        case .none: "no alert set"
        default: rawValue
        }
    }
}

/// A jump against the merchant's own history: fires when the value is at least `min` and at
/// least `factor` times the median of the values recorded in the trailing `baseline`.
public struct SpikeRule: Sendable, Hashable, CustomStringConvertible {
    /// How far back recorded values form the baseline.
    public var baseline: ConfigDuration
    /// How many times the baseline's median the value must reach.
    public var factor: Double
    /// The smallest value that can be a spike.
    public var min: Double
    /// The level a spike fires at (default critical).
    public var severity: AlertSeverity = .critical

    /// Whether `value` is a spike over `history` (nil when there is no baseline yet).
    public func holds(_ value: Double, history: [Double]) -> Bool? {
        guard !history.isEmpty else { return nil }
        return value >= min && value >= factor * SpikeRule.median(history)
    }

    /// The median of `values` (the mean of the middle two for an even count).
    public static func median(_ values: [Double]) -> Double {
        let sorted = values.sorted()
        guard !sorted.isEmpty else { return 0 }
        let mid = sorted.count / 2
        return sorted.count % 2 == 1 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2
    }

    public var description: String {
        "spike ×\(Trigger.format(factor)) over \(baseline) (min \(Trigger.format(min)))"
    }
}

/// When a card alerts: a critical comparison, a warn comparison, a spike (at either level), or
/// any of them, optionally held for a number of consecutive evaluations before it fires (`for`,
/// to ride out sync lag). The highest level whose condition holds wins.
public struct AlertRule: Sendable, CustomStringConvertible {
    /// The critical comparison against the value (`when`, or `critical`), e.g. `> 25`.
    public var trigger: Trigger?
    /// The warn comparison, e.g. `> 0`.
    public var warn: Trigger?
    /// Consecutive evaluations a level's condition must hold before it fires (default 1).
    public var holdFor: Int
    /// A spike against the recorded history, at its own severity.
    public var spike: SpikeRule?
    /// Where it was written.
    public var location: SourceLocation

    /// Creates a rule.
    public init(trigger: Trigger?, warn: Trigger? = nil, holdFor: Int = 1, spike: SpikeRule? = nil, at location: SourceLocation) {
        self.trigger = trigger
        self.warn = warn
        self.holdFor = holdFor
        self.spike = spike
        self.location = location
    }

    /// The highest level whose condition holds for `value` now (before `for`): critical when the
    /// critical trigger (or a critical spike) holds, else warn when the warn trigger (or a warn
    /// spike) holds; nil when nothing holds or there is no value.
    public func level(value: Double?, spikeHolds: Bool) -> AlertSeverity? {
        let spikeLevel = spikeHolds ? spike?.severity : nil
        if spikeLevel == .critical || (value.map { trigger?.holds($0) ?? false } ?? false) { return .critical }
        if spikeLevel == .warn || (value.map { warn?.holds($0) ?? false } ?? false) { return .warn }
        return nil
    }

    /// Whether the rule can fire at `severity` at all.
    public func has(_ severity: AlertSeverity) -> Bool {
        switch severity {
        case .critical: trigger != nil || spike?.severity == .critical
        case .warn: warn != nil || spike?.severity == .warn
        }
    }

    /// `> 0`, `> 0 or spike ×5 over 7d (min 10)`, `> 0 for 3` (a v1 rule, critical only);
    /// `warn > 0, critical > 25 for 2`, `warn spike ×5 over 7d (min 10)` with levels.
    public var description: String {
        var parts: [String] = []
        if warn == nil && spike?.severity != .warn {
            if let trigger { parts.append(trigger.description) }
            if let spike { parts.append(spike.description) }
            var text = parts.joined(separator: " or ")
            if holdFor > 1 { text += " for \(holdFor)" }
            return text
        }
        if let warn { parts.append("warn \(warn)") }
        if let trigger { parts.append("critical \(trigger)") }
        if let spike { parts.append("\(spike.severity.rawValue) \(spike)") }
        var text = parts.joined(separator: ", ")
        if holdFor > 1 { text += " for \(holdFor)" }
        return text
    }
}

extension Trigger {
    /// A number as written in a trigger: whole numbers without a fraction.
    public static func format(_ d: Double) -> String {
        d.rounded() == d && abs(d) < 1e15 ? String(Int(d)) : String(d)
    }
}
