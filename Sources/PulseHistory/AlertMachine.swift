import PulseEngine

/// The alert state machine, in one place: what the store records and what an evaluation that
/// is not recorded reports both come from ``step(previous:consecutive:holds:holdFor:)``.
///
/// Stored states are `inactive`, `pending` and `firing`; a transition may also go to `resolved`
/// (firing -> resolved is stored as inactive).
enum AlertMachine {
    /// The next state and the new count of consecutive evaluations the condition held.
    static func step(previous: String, consecutive: Int, holds: Bool, holdFor: Int) -> (next: String, consecutive: Int) {
        guard holds else { return (previous == "firing" ? "resolved" : "inactive", 0) }
        let count = consecutive < Int.max ? consecutive + 1 : consecutive
        if previous == "firing" { return ("firing", count) }
        return (count >= holdFor ? "firing" : "pending", count)
    }

    /// What a card tells the merchant in stored state `state` after `consecutive` evaluations of `holdFor`.
    static func cardState(_ state: String, consecutive: Int, holdFor: Int) -> (CardState, String?) {
        switch state {
        case "firing": return (.firing, nil)
        case "pending": return (.pending, "held \(consecutive) of \(holdFor) evaluations")
        default: return (.ok, nil)
        }
    }
}
