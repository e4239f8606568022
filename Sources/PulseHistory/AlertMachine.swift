import PulseConfig
import PulseEngine

/// The alert state machine, in one place: what the store records and what an evaluation that
/// is not recorded reports both come from ``step(from:level:holdFor:)``.
///
/// Stored states are `inactive`, `pending` and `firing` (with a severity). Each level counts the
/// consecutive evaluations it held (a critical value holds warn too), and a level fires once it
/// held `for` evaluations: the highest such level wins. A transition goes to `pending`,
/// `firing`, `escalated` (warn -> critical), `deescalated` (critical -> warn), `resolved`
/// (firing -> inactive) or `inactive` (pending -> inactive).
enum AlertMachine {
    /// One card's stored alert state.
    struct Stored: Equatable {
        var state: AlertStatus
        /// The level it fires at (firing only).
        var severity: AlertSeverity?
        /// Consecutive evaluations some level held.
        var consecutive: Int
        /// Consecutive evaluations the critical level held.
        var critical: Int

        static let inactive = Stored(state: .inactive, severity: nil, consecutive: 0, critical: 0)
    }

    /// The next stored state after an evaluation whose highest holding level is `level`.
    static func step(from previous: Stored, level: AlertSeverity?, holdFor: Int) -> Stored {
        guard let level else { return .inactive }
        let held = previous.consecutive < Int.max ? previous.consecutive + 1 : previous.consecutive
        let critical = level == .critical ? (previous.critical < Int.max ? previous.critical + 1 : previous.critical) : 0
        let severity: AlertSeverity? = critical >= holdFor ? .critical : (held >= holdFor ? .warn : nil)
        return Stored(state: severity == nil ? .pending : .firing, severity: severity, consecutive: held, critical: critical)
    }

    /// The transition from `a` to `b`, if the state (or the firing severity) changed.
    static func transition(from a: Stored, to b: Stored) -> AlertTransitionKind? {
        switch (a.state, b.state) {
        case (.firing, .firing):
            guard a.severity != b.severity, let to = b.severity else { return nil }
            return to > (a.severity ?? .critical) ? .escalated : .deescalated
        case (.firing, _): return .resolved
        case (_, .firing): return .firing
        case (.inactive, .pending): return .pending
        case (.pending, .inactive): return .inactive
        default: return nil
        }
    }

    /// What a card tells the merchant in stored state `stored`, with `holdFor`.
    static func cardState(_ stored: Stored, holdFor: Int) -> (CardState, AlertSeverity?, String?) {
        switch stored.state {
        case .firing:
            let note = stored.severity == .warn && holdFor > 1 && stored.critical > 0
                ? "critical held \(stored.critical) of \(holdFor) evaluations" : nil
            return (.firing, stored.severity ?? .critical, note)
        case .pending: return (.pending, nil, "held \(stored.consecutive) of \(holdFor) evaluations")
        case .inactive: return (.ok, nil, nil)
        }
    }
}
