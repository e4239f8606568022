import Foundation
import NIOConcurrencyHelpers
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions

/// One evaluation as it is served: every card of the profile (hero cards first), the snapshot it
/// read, and the recorded history behind each card's sparkline. Never changed once made: a newer
/// evaluation replaces it whole.
struct ServedEvaluation: Sendable {
    /// The snapshot folder evaluated.
    let folder: String
    let takenAt: CELTimestamp
    let store: String?
    /// Every enabled card's result, `for` settled.
    let results: [CardResult]
    /// When the evaluation finished.
    let evaluatedAt: Date
    /// How long loading and evaluating took.
    let seconds: Double
    /// Each card's recorded values, oldest first (the last ``ServeEngine/sparklinePoints``).
    let sparklines: [String: [Double?]]

    /// The result of card `key`, if the profile has it enabled.
    func result(_ key: String) -> CardResult? { results.first { $0.card.key.value == key } }

    /// The same evaluation with `results` judged again (freshness moves with the clock).
    func with(results: [CardResult]) -> ServedEvaluation {
        ServedEvaluation(folder: folder, takenAt: takenAt, store: store, results: results, evaluatedAt: evaluatedAt, seconds: seconds,
                         sparklines: sparklines)
    }
}

/// A problem to show until it is solved: a snapshot that would not load, a pull that failed.
struct ServeProblem: Sendable, Equatable {
    let at: Date
    /// Which snapshot folder or source.
    let subject: String
    let message: String
}

/// The config one profile is evaluated with: its whole plan (the resolved profile and the cards,
/// compiled once per reload), all valid.
struct ProfileConfig: Sendable {
    let plan: ProfilePlan
    var cards: [Card] { plan.cards }
    var profile: ResolvedProfile { plan.profile }
}

/// Everything served about one profile at one moment.
struct ProfileView: Sendable {
    let name: String
    /// The last good config (nil until the profile's files first validate).
    var config: ProfileConfig?
    /// Errors in the files this profile uses, from the latest reload (empty: the config is good).
    var configErrors: [Diagnostic] = []
    var served: ServedEvaluation?
    /// The latest snapshot that failed to load or evaluate (cleared by a good evaluation).
    var snapshotProblem: ServeProblem?
    /// The latest failed pull (cleared by a good pull).
    var pullProblem: ServeProblem?
    /// Bumped on every change, so that a dashboard knows to refresh.
    var version = 0

    init(name: String) { self.name = name }
}

/// The whole served state: swapped as one value, so a reader never sees half an update.
struct ServedWorld: Sendable {
    var profiles: [String: ProfileView] = [:]
    /// Whether the latest config reload validated (for every profile).
    var configReloadOK = true
}

/// Holds the current ``ServedWorld``: readers take the value, writers replace it under a lock.
final class ServedStateBox: Sendable {
    private let box = NIOLockedValueBox(ServedWorld())

    /// The current state (a value: later changes do not touch it).
    var current: ServedWorld { box.withLockedValue { $0 } }

    /// Changes the state; the profiles `change` names as changed get a new version.
    func update(_ change: (inout ServedWorld) -> Set<String>) {
        box.withLockedValue { world in
            for name in change(&world) { world.profiles[name]?.version += 1 }
        }
    }

    /// Changes one profile's view (created when new), bumping its version.
    func updateProfile(_ name: String, _ change: (inout ProfileView) -> Void) {
        box.withLockedValue { world in
            var view = world.profiles[name] ?? ProfileView(name: name)
            change(&view)
            view.version += 1
            world.profiles[name] = view
        }
    }
}
