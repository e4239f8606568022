import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseSnapshot

/// Evaluates a merchant's cards over a snapshot: picks the enabled cards the role may see,
/// compiles each once, resolves its settings and runs it.
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

    private struct Planned: Sendable {
        let compiled: CompiledCard
        let settings: CardSettings
    }

    /// The results, hero cards first, then in key order; CEL's `now` is `now`, freshness is
    /// judged at `checkedAt` (default `now`).
    ///
    /// - Returns: the results, or the diagnostics of cards or settings that cannot run.
    public static func run(cards: [Card], profile: ResolvedProfile, snapshot: Snapshot, now: CELTimestamp, checkedAt: CELTimestamp? = nil,
                           selection: Selection = Selection(), baselines: BaselineSource? = nil) -> Result<[CardResult], DiagnosticList> {
        switch plan(cards: cards, profile: profile, selection: selection) {
        case .failure(let list): return .failure(list)
        case .success(let planned):
            let evaluator = CardEvaluator(profile: profile, snapshot: snapshot, now: now, checkedAt: checkedAt, baselines: baselines)
            // Cards are independent: they run side by side, one core each.
            return .success(planned.concurrentMap { evaluator.evaluate($0.compiled, settings: $0.settings) })
        }
    }

    /// The model fields the selected cards read: load the snapshot with it, and whatever else is
    /// in the files is checked but not stored (nil when the cards cannot run; ``run`` says why).
    public static func fieldsRead(cards: [Card], profile: ResolvedProfile, selection: Selection = Selection()) -> FieldSelection? {
        guard case .success(let planned) = plan(cards: cards, profile: profile, selection: selection) else { return nil }
        return FieldUse.selection(for: planned.map(\.compiled))
    }

    /// The selected, enabled cards, compiled, with their settings, hero cards first.
    private static func plan(cards: [Card], profile: ResolvedProfile, selection: Selection) -> Result<[Planned], DiagnosticList> {
        var diagnostics: [Diagnostic] = []
        var planned: [(CompiledCard, CardSettings)] = []
        let ordered = cards.sorted {
            ($0.cardClass == .hero ? 0 : 1, $0.key.value) < ($1.cardClass == .hero ? 0 : 1, $1.key.value)
        }
        for card in ordered {
            if !selection.keys.isEmpty && !selection.keys.contains(card.key.value) { continue }
            let settings: CardSettings
            switch CardSettings.resolve(card, profile: profile) {
            case .failure(let list): diagnostics += list.diagnostics; continue
            case .success(let s): settings = s
            }
            guard settings.enabled else { continue }
            if let role = selection.role, !settings.roles.contains(role) { continue }
            switch CompiledCard.compile(card) {
            case .failure(let list): diagnostics += list.diagnostics
            case .success(let compiled):
                let tooCostly = CostCheck.diagnostics(compiled, params: settings.params, profile: profile)
                if tooCostly.isEmpty { planned.append((compiled, settings)) } else { diagnostics += tooCostly }
            }
        }
        guard diagnostics.isEmpty else { return .failure(DiagnosticList(diagnostics.sortedForReport())) }
        return .success(planned.map { Planned(compiled: $0.0, settings: $0.1) })
    }
}
