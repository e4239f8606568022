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
    /// Whether the alert's condition holds now at some level: its comparisons, or its spike
    /// against the recorded baseline (false without an alert or a value). With `for`, the alert
    /// itself fires only after a level held that many evaluations in a row: see ``state``.
    public var conditionHolds: Bool { level != nil }
    /// The highest level whose condition holds now, before `for` (nil: none holds, or no alert).
    public let level: AlertSeverity?
    /// The alert's own state: ok, pending, firing, none (no alert set), or no_data (a card without
    /// data whose alert state no history tells). Staleness and missing data never change it;
    /// ``state`` is what the merchant is told.
    public private(set) var alertState: CardState
    /// The level the alert fires at (nil unless ``alertState`` is firing).
    public private(set) var severity: AlertSeverity?
    /// Why the alert state is what it is, when that is not obvious (`needs history`, `held 1 of 2`).
    public private(set) var alertNote: String?
    /// Why the card has no data (nil: it has data).
    public let noData: NoDataReason?
    /// For a card over audit events that cover less than its window (the first pull wrote
    /// `audit_events_since`): `first pull: audit events are counted from 09:00 today`.
    public var coverageNote: String? = nil
    /// How old the card's data is, judged at ``Freshness/checkedAt``.
    public private(set) var freshness: Freshness
    /// The optional snapshot files the card reads that the snapshot lacks (then there is no
    /// value, no breakdown and no worklist).
    public var missingFiles: [SnapshotFile] { if case .missing(let files)? = noData { files } else { [] } }
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

    /// What the merchant is told: no data, else stale, else the alert's state.
    public var state: CardState {
        if noData != nil { return .noData }
        if freshness.isStale { return .stale }
        return alertState
    }

    /// Why the state is what it is, when that is not obvious.
    public var stateNote: String? {
        if let noData { return noData.description }
        if freshness.isStale { return freshness.staleNote }
        let notes = [alertNote, coverageNote].compactMap { $0 }
        return notes.isEmpty ? nil : notes.joined(separator: "; ")
    }

    /// Whether the alert fires (its condition held as long as its `for` asks) and is shown: a
    /// stale card or one without data fires nothing.
    public var firing: Bool { state == .firing }

    /// Whether the card's judgement can move its alert state: it has data, and the data is fresh.
    public var judgesAlert: Bool { noData == nil && !freshness.isStale }

    /// Sets the alert state the alert history decided (pending until `for` evaluations held,
    /// then firing at the highest level that held long enough; for a card with no data or stale
    /// data, the state recorded before, unchanged).
    public mutating func settle(_ state: CardState, severity: AlertSeverity?, note: String?) {
        guard alertState != .none else { return }
        alertState = state
        self.severity = state == .firing ? severity : nil
        alertNote = note
    }

    /// The card judged again for staleness at `checkedAt` (the clock moved; nothing else did).
    public func rejudged(at checkedAt: CELTimestamp) -> CardResult {
        var copy = self
        copy.freshness.judge(at: checkedAt)
        return copy
    }
}

extension CardState {
    /// The alert state of a card whose highest holding level is `level`, before any history is
    /// consulted: with `for: N > 1` it cannot have held N times yet, so it is pending.
    static func initial(level: AlertSeverity?, alert: AlertRule?) -> (CardState, AlertSeverity?, String?) {
        guard let alert else { return (.none, nil, nil) }
        guard let level else { return (.ok, nil, nil) }
        if alert.holdFor > 1 { return (.pending, nil, "needs history: for \(alert.holdFor) evaluations in a row") }
        return (.firing, level, nil)
    }
}

/// Why a card has no value.
public enum NoDataReason: Sendable, Equatable, CustomStringConvertible {
    /// Optional snapshot files the card reads are missing.
    case missing([SnapshotFile])
    /// More listing SKUs than `data_quality.max_unmatched_skus` allows found no BigCommerce stock
    /// record: a join that matched (almost) nothing is not a value.
    case unmatchedSKUs(UnmatchedSKUs, maxPercent: Double)

    /// `stock.jsonl missing`; `600 of 600 listing SKUs (100%) have no BigCommerce stock record; at most 5% may`.
    public var description: String {
        switch self {
        case .missing(let files): return "\(files.map(\.fileName).joined(separator: ", ")) missing"
        case .unmatchedSKUs(let u, let max):
            return "\(u.count) of \(u.of) listing SKUs (\(UnmatchedSKUs.percentText(u.percent))) have no BigCommerce stock record; "
                + "at most \(UnmatchedSKUs.percentText(max)) may (data_quality.max_unmatched_skus)"
        }
    }
}

extension UnmatchedSKUs {
    /// The share of listing SKUs without a stock record, 0-100 (0 when there are none).
    public var percent: Double { of == 0 ? 0 : Double(count) * 100 / Double(of) }

    /// `5%`, `0.5%`, `33.3%` (never rounded to 0% or 100% when it is not).
    public static func percentText(_ p: Double) -> String {
        if p.rounded() == p { return Trigger.format(p) + "%" }
        var text = String(format: "%.1f", p)
        if text.hasSuffix(".0") { text.removeLast(2) }
        if text == "0" || text == "100" { text = String(format: "%.2f", p) }
        return text + "%"
    }
}

/// How old a card's data is: the time of each snapshot source the card reads, and the
/// `stale_after` that applies to it; judged at an evaluation clock (`--now`, else the wall
/// clock; `pulse serve` judges again on a timer).
public struct Freshness: Sendable {
    /// One source the card reads.
    public struct Source: Sendable, Equatable {
        public let source: SnapshotSource
        /// When its data stood.
        public let takenAt: CELTimestamp
        /// Older than this is stale (the source's own, else the profile's; nil: never).
        public let staleAfter: ConfigDuration?
    }

    /// The sources read, bigcommerce first.
    public let sources: [Source]
    /// When freshness was judged.
    public private(set) var checkedAt: CELTimestamp
    /// The sources past their `stale_after` at ``checkedAt``.
    public private(set) var staleSources: [Source] = []

    /// Judges `sources` at `checkedAt`.
    public init(sources: [Source], checkedAt: CELTimestamp) {
        self.sources = sources
        self.checkedAt = checkedAt
        judge(at: checkedAt)
    }

    /// Whether some source's data is older than its `stale_after`.
    public var isStale: Bool { !staleSources.isEmpty }

    /// The oldest source time.
    public var oldest: CELTimestamp? { sources.map(\.takenAt).min() }

    /// `checkedAt` minus the oldest source time, in seconds (negative for data from the future).
    public var ageSeconds: Int64 {
        guard let oldest else { return 0 }
        return Freshness.seconds(from: oldest, to: checkedAt)
    }

    /// Judges again at `checkedAt`.
    public mutating func judge(at checkedAt: CELTimestamp) {
        self.checkedAt = checkedAt
        staleSources = sources.filter { s in
            guard let limit = s.staleAfter else { return false }
            return Freshness.seconds(from: s.takenAt, to: checkedAt) > Int64(limit.seconds)
        }
    }

    /// `bigcommerce data from 2026-03-17T08:00:00Z is 3d 2h old (stale after 25h)`.
    public var staleNote: String? {
        guard isStale else { return nil }
        return staleSources.map { s in
            let seconds = Freshness.seconds(from: s.takenAt, to: checkedAt)
            let age = CELDuration(seconds: seconds)?.readable ?? "\(seconds)s"
            return "\(s.source.rawValue) data from \(s.takenAt) is \(age) old (stale after \(s.staleAfter.map(\.description) ?? "-"))"
        }.joined(separator: "; ")
    }

    /// Whole seconds from `a` to `b`, saturating (timestamps lie within CEL's range, so the
    /// difference fits; saturation only guards the arithmetic).
    public static func seconds(from a: CELTimestamp, to b: CELTimestamp) -> Int64 {
        let (d, overflow) = b.seconds.subtractingReportingOverflow(a.seconds)
        return overflow ? (b.seconds > a.seconds ? Int64.max : Int64.min) : d
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
