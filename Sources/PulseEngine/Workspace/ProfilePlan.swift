import PulseConfig
import PulseDiagnostics
import PulseExpressions
import PulseSnapshot

/// One profile's cards ready to run: each card compiled (once, by its ``Workspace``), with its
/// settings under the profile resolved once (the profile's param overrides typed against the
/// card), hero cards first, then in key order. ``Evaluation/run(_:snapshot:now:checkedAt:selection:baselines:)``
/// runs it; the same plan serves every evaluation until the config changes.
public struct ProfilePlan: Sendable {
    /// One card of the plan.
    public struct Entry: Sendable {
        /// The card as written.
        public let card: Card
        /// Its settings under the profile, or why they are invalid.
        public let settings: Result<CardSettings, DiagnosticList>
        /// Its compiled form, or why it does not compile.
        public let compiled: Result<CompiledCard, DiagnosticList>
        /// Expressions estimated past the cost limit with the profile's lists and params.
        let tooCostly: [Diagnostic]
    }

    /// The resolved profile.
    public let profile: ResolvedProfile
    /// Every card, hero cards first, then in key order.
    public let entries: [Entry]

    /// The plan of `cards` for `profile`, compiling each card here (the workspace passes its own compiles).
    public init(cards: [Card], profile: ResolvedProfile) {
        self.init(profile: profile, cards: cards.map { ($0, CompiledCard.compile($0)) })
    }

    init(profile: ResolvedProfile, cards: [(Card, Result<CompiledCard, DiagnosticList>)]) {
        self.profile = profile
        let ordered = cards.sorted {
            ($0.0.cardClass == .hero ? 0 : 1, $0.0.key.value) < ($1.0.cardClass == .hero ? 0 : 1, $1.0.key.value)
        }
        entries = ordered.map { card, compiled in
            let settings = CardSettings.resolve(card, profile: profile)
            var tooCostly: [Diagnostic] = []
            if case .success(let s) = settings, case .success(let c) = compiled {
                tooCostly = CostCheck.diagnostics(c, params: s.params, profile: profile)
            }
            return Entry(card: card, settings: settings, compiled: compiled, tooCostly: tooCostly)
        }
    }

    /// The cards.
    public var cards: [Card] { entries.map(\.card) }

    /// Card `key`'s entry (nil when there is no such card).
    public func entry(_ key: String) -> Entry? { entries.first { $0.card.key.value == key } }

    /// The settings of card `key` under the profile (nil when there is no such card or they are invalid).
    public func settings(of key: String) -> CardSettings? {
        guard let entry = entry(key), case .success(let s) = entry.settings else { return nil }
        return s
    }

    /// The selected, enabled cards the role may see, compiled, with their settings; or the
    /// diagnostics of selected cards that cannot run (bad settings, expressions, or cost).
    func select(_ selection: Evaluation.Selection) -> Result<[(compiled: CompiledCard, settings: CardSettings)], DiagnosticList> {
        var diagnostics: [Diagnostic] = []
        var planned: [(compiled: CompiledCard, settings: CardSettings)] = []
        for entry in entries {
            if !selection.keys.isEmpty && !selection.keys.contains(entry.card.key.value) { continue }
            let settings: CardSettings
            switch entry.settings {
            case .failure(let list): diagnostics += list.diagnostics; continue
            case .success(let s): settings = s
            }
            guard settings.enabled else { continue }
            if let role = selection.role, !settings.roles.contains(role) { continue }
            switch entry.compiled {
            case .failure(let list): diagnostics += list.diagnostics
            case .success(let compiled):
                if entry.tooCostly.isEmpty { planned.append((compiled, settings)) } else { diagnostics += entry.tooCostly }
            }
        }
        guard diagnostics.isEmpty else { return .failure(DiagnosticList(diagnostics.sortedForReport())) }
        return .success(planned)
    }

    /// The model fields the selected cards read: load the snapshot with it, and whatever else is
    /// in the files is checked but not stored (nil when the cards cannot run; ``Evaluation/run`` says why).
    public func fieldsRead(_ selection: Evaluation.Selection = Evaluation.Selection()) -> FieldSelection? {
        guard case .success(let planned) = select(selection) else { return nil }
        return FieldUse.selection(for: planned.map(\.compiled))
    }
}
