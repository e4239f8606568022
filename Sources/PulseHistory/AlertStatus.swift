import GRDB

/// A card's stored alert state: the alert state machine's three states (``AlertMachine``),
/// stored as their names. A stored name that is not one of them fails the read (a store written
/// by something else), never becomes a guess.
public enum AlertStatus: String, Sendable, CaseIterable, DatabaseValueConvertible {
    /// The condition does not hold.
    case inactive
    /// It holds, not yet for `for` evaluations.
    case pending
    /// It fires (at a severity).
    case firing
}
