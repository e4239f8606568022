import PulseExpressions
import PulseSnapshot

/// The row an observer is told about.
public struct RowContext: Sendable {
    /// The listing (for audit events: nil when the snapshot does not have it).
    public let listing: Listing?
    /// The SKU, for `skus` cards.
    public let sku: SKUVariant?
    /// The event, for `audit_events` cards.
    public let event: AuditEvent?

    /// The listing id the row belongs to.
    public var listingID: String? { event?.listingID ?? listing?.id }
}

/// What happened to one row.
public enum RowOutcome: Sendable {
    /// What a counted row gave the measure.
    public struct Contribution: Sendable {
        /// The breakdown label, with `group_by`.
        public let label: String?
        /// For `percent`: whether the expression held.
        public let held: Bool
        /// For `count_distinct` and `sum`: the value.
        public let measured: Value
    }

    /// `where` was false.
    case filteredOut
    /// An expression failed for this row.
    case errored(part: CompiledCard.Part, error: EvalError)
    /// It passed `where` and counted; its worklist row, if it made the worklist.
    case counted(Contribution, worklist: [(column: String, value: Value)]?)
}

/// Hears each row's outcome as the evaluator runs (`explain` uses it); the evaluator only
/// builds row contexts when an observer is present.
public protocol EvaluationObserver: AnyObject {
    /// Called once per row, after the row's expressions ran; `trace` holds the value of each
    /// node that ran for this row.
    func observe(_ row: RowContext, _ outcome: RowOutcome, trace: Trace)
}

/// Recorded card values, for spike baselines (the history store provides them).
public protocol BaselineSource: Sendable {
    /// The values recorded for `card` with a snapshot time in `[from, before)`.
    ///
    /// - Throws: when the history cannot be read (the spike then says why, rather than
    ///   pretending there is no baseline).
    func values(card: String, from: CELTimestamp, before: CELTimestamp) throws -> [Double]
}
