import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseSnapshot

/// One evaluation as `pulse eval --record` and `pulse serve` make it: the cards evaluated over a
/// snapshot (spike baselines from the history store), recorded (idempotent: a snapshot already
/// recorded is not recorded twice), its notifications queued in the same transaction, and every
/// `for: N` settled from the recorded alert history. Delivering the queue is PulseNotify's.
public enum RecordedEvaluation {
    /// Where an evaluation reads and writes its history.
    public struct History: Sendable {
        /// The store: read for baselines and `for`, written when `record` is set.
        public var store: HistoryStore?
        /// Whether to record the evaluation.
        public var record = false
        /// How to queue the notifications recording causes (with `record`).
        public var notify: NotificationPlan?
        /// Baselines to use when there is no store (say, one that could not be opened).
        public var fallbackBaselines: BaselineSource?
        /// Where a test may pause the recording (``TestSeams``; none in product use).
        public var seams = TestSeams.none

        /// Reads `store` (nil: none); set the other properties to record, notify, or fall back.
        public init(store: HistoryStore?) { self.store = store }
    }

    /// What an evaluation produced.
    public struct Outcome: Sendable {
        /// The results, with `for` settled.
        public var results: [CardResult]
        /// What recording did (nil when not recorded).
        public var recorded: RecordOutcome?
        /// Problems that did not stop the evaluation: `for` left pending.
        public var warnings: [String] = []
    }

    /// Why an evaluation produced nothing.
    public enum Failure: Error, Sendable {
        /// The cards cannot run with this profile (located findings).
        case cannotRun(DiagnosticList)
        /// The history store could not be written.
        case history(HistoryError)
    }

    /// Evaluates `plan`'s cards over `snapshot` at `now` (CEL's clock, and the snapshot time
    /// recorded), judging freshness at `checkedAt`, then records, notifies and settles as
    /// `history` says.
    public static func run(_ plan: ProfilePlan, snapshot: Snapshot, now: CELTimestamp, checkedAt: CELTimestamp,
                           selection: Evaluation.Selection = Evaluation.Selection(), history: History) -> Result<Outcome, Failure> {
        let store = history.store
        let profile = plan.profile
        var results: [CardResult]
        switch Evaluation.run(plan, snapshot: snapshot, now: now, checkedAt: checkedAt, selection: selection,
                              baselines: store?.baselines(profile: profile.name) ?? history.fallbackBaselines) {
        case .failure(let list): return .failure(.cannotRun(list))
        case .success(let r): results = r
        }
        var outcome = Outcome(results: [])
        if history.record, let store {
            do {
                outcome.recorded = try store.record(profile: profile.name, store: snapshot.store, takenAt: now, results: results,
                                                    notify: history.notify, seams: history.seams)
            } catch {
                return .failure(.history(error))
            }
        }
        // `for: N` holds everywhere: the recorded alert history decides pending or firing.
        if let store {
            do { results = try store.settle(results, profile: profile.name, takenAt: now) } catch {
                outcome.warnings.append("warning: \(error); alerts with `for` stay pending")
            }
        }
        outcome.results = results
        return .success(outcome)
    }
}
