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

/// What a change of stored state is called, in the history and in notifications: the state
/// machine's transitions (``AlertMachine/transition(from:to:)``), stored as their names.
public enum AlertTransitionKind: String, Sendable, CaseIterable {
    /// inactive -> pending.
    case pending
    /// -> firing.
    case firing
    /// firing warn -> firing critical.
    case escalated
    /// firing critical -> firing warn.
    case deescalated
    /// firing -> not firing.
    case resolved
    /// pending -> inactive.
    case inactive
}
