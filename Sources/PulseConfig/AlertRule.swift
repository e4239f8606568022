import PulseDiagnostics

/// A jump against the merchant's own history: fires when the value is at least `min` and at
/// least `factor` times the median of the values recorded in the trailing `baseline`.
public struct SpikeRule: Sendable, Hashable, CustomStringConvertible {
    /// How far back recorded values form the baseline.
    public var baseline: ConfigDuration
    /// How many times the baseline's median the value must reach.
    public var factor: Double
    /// The smallest value that can be a spike.
    public var min: Double

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

/// When a card alerts: a comparison, a spike, or both (either fires), optionally held for a
/// number of consecutive evaluations before it fires (`for`, to ride out sync lag).
public struct AlertRule: Sendable, CustomStringConvertible {
    /// The comparison against the value, e.g. `> 0`.
    public var trigger: Trigger?
    /// Consecutive evaluations the condition must hold before the alert fires (default 1).
    public var holdFor: Int
    /// A spike against the recorded history.
    public var spike: SpikeRule?
    /// Where it was written.
    public var location: SourceLocation

    /// Creates a rule.
    public init(trigger: Trigger?, holdFor: Int = 1, spike: SpikeRule? = nil, at location: SourceLocation) {
        self.trigger = trigger
        self.holdFor = holdFor
        self.spike = spike
        self.location = location
    }

    /// `> 0`, `> 0 or spike ×5 over 7d (min 10)`, `> 0 for 3`.
    public var description: String {
        var parts: [String] = []
        if let trigger { parts.append(trigger.description) }
        if let spike { parts.append(spike.description) }
        var text = parts.joined(separator: " or ")
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
