import PulseSnapshot
import PulseConfig
import PulseExpressions

/// One card's answer: the number, whether its alert fires, the breakdown and the worklist.
public struct CardResult: Sendable {
    /// The card.
    public let card: Card
    /// Its effective settings.
    public let settings: CardSettings
    /// The value: a count, a sum, or a percent (0-100); nil for a percent of no rows.
    public let value: Double?
    /// The value as an exact integer, for a count or a sum of ints (a Double holds integers
    /// exactly only up to 2^53); nil for a percent, a sum of doubles, or no data.
    public var integerValue: Int64? = nil
    /// For percent: rows where the measure held; for the others: the value itself.
    public let numerator: Double?
    /// For percent: rows that passed `where`; nil for the others.
    public let denominator: Double?
    /// Whether the alert's condition holds now: its comparison, or its spike against the
    /// recorded baseline (false without an alert or a value). With `for`, the alert itself fires
    /// only after the condition held that many evaluations in a row: see ``state``.
    public let conditionHolds: Bool
    /// ok, pending, firing or no data: what the merchant is told.
    public private(set) var state: CardState
    /// Why the state is what it is, when that is not obvious (`needs history`, `held 1 of 2`).
    public private(set) var stateNote: String?
    /// The optional snapshot files the card reads that the snapshot lacks (then there is no
    /// value, no breakdown and no worklist).
    public let missingFiles: [SnapshotFile]
    /// For a card that joins BigCommerce stock: the listing SKUs that have no stock record.
    public let unmatchedSKUs: UnmatchedSKUs?
    /// How the spike rule came out, when the card has one.
    public let spike: SpikeOutcome?
    /// `group_by` label -> value, largest first (nil without `group_by`).
    public let breakdown: [(label: String, value: Double?)]?
    /// The worklist: each row's columns in order.
    public let rows: Worklist
    /// How many rows had an evaluation error (and were left out of the value).
    public let errorCount: Int
    /// The first few errors, each naming the row and the expression.
    public let errorExamples: [String]
    /// How many source rows were considered.
    public let rowsConsidered: Int
    /// The snapshot the worklist's values may point into (rows are not retained by values).
    public let snapshot: Snapshot?

    /// Whether the alert fires (its condition held as long as its `for` asks).
    public var firing: Bool { state == .firing }

    /// Sets the state the alert history decided (pending until `for` evaluations held, then firing).
    public mutating func settle(_ state: CardState, note: String?) {
        guard self.state != .noData else { return }
        self.state = state
        stateNote = note
    }
}

/// What a card tells the merchant.
public enum CardState: String, Sendable, CaseIterable {
    /// A value, and no alert firing (or no alert at all).
    case ok
    /// The alert's condition holds, but not yet for as many evaluations as its `for` asks.
    case pending
    /// The alert fires.
    case firing
    /// A file the card reads is missing from the snapshot: no value at all.
    case noData = "no_data"

    /// The state of a card whose condition `holds`, before any history is consulted: with
    /// `for: N > 1` it cannot have held N times yet, so it is pending.
    static func initial(holds: Bool, alert: AlertRule?) -> (CardState, String?) {
        guard let alert, holds else { return (.ok, nil) }
        if alert.holdFor > 1 { return (.pending, "needs history: for \(alert.holdFor) evaluations in a row") }
        return (.firing, nil)
    }
}

/// The outcome of a spike rule for one evaluation.
public enum SpikeOutcome: Sendable, Equatable {
    /// No recorded values in the baseline window yet: not firing.
    case noBaseline
    /// The history could not be read: not firing, and why.
    case unavailable(String)
    /// The value against the median of `count` recorded values.
    case compared(median: Double, count: Int, holds: Bool)

    /// `spike: 38 >= 5 x median 2 (6 recorded values)`, or why there is none.
    public func describe(_ rule: SpikeRule, value: Double?) -> String {
        switch self {
        case .noBaseline: return "spike: no baseline yet (no values recorded in the last \(rule.baseline)), not firing"
        case .unavailable(let why): return "spike: the recorded history could not be read (\(why)), not firing"
        case .compared(let median, let count, let holds):
            let v = value.map { Trigger.format($0) } ?? "null"
            return "spike: \(v) \(holds ? "is" : "is not") a spike (min \(Trigger.format(rule.min)), \(Trigger.format(rule.factor)) × median \(Trigger.format(median)) of \(count) recorded value\(count == 1 ? "" : "s") in \(rule.baseline))"
        }
    }
}
