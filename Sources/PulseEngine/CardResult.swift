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
    /// For percent: rows where the measure held; for the others: the value itself.
    public let numerator: Double?
    /// For percent: rows that passed `where`; nil for the others.
    public let denominator: Double?
    /// Whether the alert fires (false without a trigger or a value).
    public let firing: Bool
    /// `group_by` label -> value, largest first (nil without `group_by`).
    public let breakdown: [(label: String, value: Double?)]?
    /// The worklist: each row's columns in order.
    public let rows: [[(column: String, value: Value)]]
    /// How many rows had an evaluation error (and were left out of the value).
    public let errorCount: Int
    /// The first few errors, each naming the row and the expression.
    public let errorExamples: [String]
    /// How many source rows were considered.
    public let rowsConsidered: Int
}
