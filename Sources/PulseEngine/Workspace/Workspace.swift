import Foundation
import PulseConfig
import PulseDiagnostics

/// One read of the config: the cards, profiles and test files, every card compiled once, and
/// every lint finding (expression checks included). `eval`, `test`, `explain`, `validate` and
/// `serve` take one; a profile's ``ProfilePlan`` (its resolved settings and the compiled cards) is
/// made from it, and `serve` swaps whole plans when the folders change.
public struct Workspace: Sendable {
    /// What was read.
    public let set: ConfigSet
    /// Every finding of the lint rules, expression checks included, in the linter's order.
    public let diagnostics: [Diagnostic]
    /// Each card's compiled form (or why it does not compile), in the order of ``ConfigSet/cards``.
    let compiled: [Result<CompiledCard, DiagnosticList>]

    /// The workspace of `set`: compiles each card once and lints all of it.
    public init(set: ConfigSet) {
        self.set = set
        let compiled = set.cards.map { CompiledCard.compile($0) }
        self.compiled = compiled
        // The linter asks for each card's expression findings: look up the compile just made.
        var byCard: [String: [Diagnostic]] = [:]
        for (card, result) in zip(set.cards, compiled) {
            let id = Self.identity(card)
            guard byCard[id] == nil else { continue }
            switch result {
            case .success(let c):
                byCard[id] = CostCheck.diagnostics(c, params: card.params.map { ParamsObject.value($0.defaultValue) }, profile: nil)
            case .failure(let list): byCard[id] = list.diagnostics
            }
        }
        let found = byCard
        diagnostics = Linter(expressionCheck: { found[Self.identity($0)] ?? [] }).lint(set)
    }

    /// Reads `paths` (folders or files) and builds their workspace.
    ///
    /// - Throws: when a path cannot be read at all.
    public static func load(paths: [String]) throws -> Workspace {
        Workspace(set: try ConfigSet.load(paths: paths))
    }

    /// The findings of severity error.
    public var errors: [Diagnostic] { diagnostics.filter { $0.severity == .error } }

    /// The errors in the files profile `name` uses (every card, its profile file and the ones it
    /// extends; with no profile, the cards), and the other files with errors, which do not stop it.
    public func errors(usedBy name: String?) -> (own: [Diagnostic], otherFiles: [String]) {
        let own = set.files(usedBy: name)
        var mine: [Diagnostic] = [], others: [String] = []
        for d in errors {
            if own.contains(d.location.file) { mine.append(d) } else if !others.contains(d.location.file) { others.append(d.location.file) }
        }
        return (mine, others)
    }

    /// The plan of profile `name`: the errors in its own files, else it resolved (with `extends`)
    /// and its cards' settings; nil when no profile has that name.
    public func plan(profile name: String) -> Result<ProfilePlan, DiagnosticList>? {
        let own = errors(usedBy: name).own
        if !own.isEmpty { return .failure(DiagnosticList(own)) }
        guard let profile = set.profile(name) else { return nil }
        return resolve(profile, among: set.profiles)
    }

    /// `profile` resolved against `profiles` (its `extends` chain among them), planned with this
    /// workspace's compiled cards.
    public func resolve(_ profile: Profile, among profiles: [Profile]) -> Result<ProfilePlan, DiagnosticList> {
        switch ProfileResolver(profiles: profiles).resolve(profile) {
        case .success(let resolved): return .success(plan(resolved))
        case .failure(let d): return .failure(DiagnosticList([d]))
        }
    }

    /// The plan of a resolved profile over this workspace's cards (compiled once, here).
    public func plan(_ profile: ResolvedProfile) -> ProfilePlan {
        ProfilePlan(profile: profile, cards: Array(zip(set.cards, compiled)))
    }

    /// Cards are told apart by file and key (two files may declare one key: a lint error).
    private static func identity(_ card: Card) -> String { card.file + "\u{0}" + card.key.value }
}
