import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseSnapshot

/// Evaluates a merchant's cards over a snapshot: runs the enabled cards of a ``ProfilePlan`` the
/// role may see.
public enum Evaluation {
    /// Which cards to run.
    public struct Selection: Sendable {
        /// Only cards this role may see (nil: every role).
        public var role: String?
        /// Only these card keys (empty: all).
        public var keys: [String]

        /// A selection.
        public init(role: String? = nil, keys: [String] = []) {
            self.role = role
            self.keys = keys
        }
    }

    /// The results of `plan`'s selected cards over `snapshot`, hero cards first, then in key
    /// order; CEL's `now` is `now`, freshness is judged at `checkedAt` (default `now`).
    ///
    /// - Returns: the results, or the diagnostics of cards or settings that cannot run.
    public static func run(_ plan: ProfilePlan, snapshot: Snapshot, now: CELTimestamp, checkedAt: CELTimestamp? = nil,
                           selection: Selection = Selection(), baselines: BaselineSource? = nil) -> Result<[CardResult], DiagnosticList> {
        switch plan.select(selection) {
        case .failure(let list): return .failure(list)
        case .success(let planned):
            let evaluator = CardEvaluator(profile: plan.profile, snapshot: snapshot, now: now, checkedAt: checkedAt, baselines: baselines)
            // Cards are independent: they run side by side, one core each.
            return .success(planned.concurrentMap { evaluator.evaluate($0.compiled, settings: $0.settings) })
        }
    }
}
