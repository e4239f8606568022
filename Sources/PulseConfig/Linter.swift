import Foundation
import PulseDiagnostics
import PulseYAML

/// The cross-file rules of `pulse validate`: card keys unique and named after their files,
/// references between cards and profiles, roles, countries, parameters, time zones, `extends`.
public struct Linter: Sendable {
    /// A hook for checking expressions (the expression compiler plugs in here); it returns the
    /// diagnostics for one card.
    public typealias ExpressionCheck = @Sendable (Card) -> [Diagnostic]

    private let expressionCheck: ExpressionCheck?

    /// A linter; `expressionCheck`, when given, type-checks every card's expressions.
    public init(expressionCheck: ExpressionCheck? = nil) {
        self.expressionCheck = expressionCheck
    }

    /// Every finding for `set`: its per-file diagnostics plus the cross-file ones, sorted.
    public func lint(_ set: ConfigSet) -> [Diagnostic] {
        let reader = NodeReader()
        let profileRoles = Set(set.profiles.flatMap { $0.roles?.map(\.value) ?? [] })
        let knownRoles = Roles.standard + profileRoles.subtracting(Roles.standard).sorted()

        lintCards(set.cards, brokenKeys: set.brokenCardKeys, knownRoles: knownRoles, reader: reader)
        lintProfiles(set, reader: reader)
        var diagnostics = set.diagnostics + reader.diagnostics
        if let expressionCheck {
            for card in set.cards { diagnostics += expressionCheck(card) }
        }
        return diagnostics.sortedForReport()
    }

    private func lintCards(_ cards: [Card], brokenKeys: Set<String>, knownRoles: [String], reader: NodeReader) {
        var firstByKey: [String: Card] = [:]
        let allKeys = Set(cards.map(\.key.value)).union(brokenKeys)
        for card in cards {
            let key = card.key
            if let first = firstByKey[key.value] {
                reader.error(.cardKeyDuplicate,
                    "card key '\(key.value)' is already used by \(first.file):\(first.key.location.line); card keys must be unique",
                    at: key.location)
            } else {
                firstByKey[key.value] = card
            }
            let stem = ConfigFiles.stem(card.file)
            if stem != key.value {
                reader.warning(.cardKeyFilename,
                    "card key '\(key.value)' does not match the file name '\(stem)'; name the file \(key.value).yaml",
                    at: key.location)
            }
            for role in card.roles ?? [] where !knownRoles.contains(role.value) {
                reader.error(.unknownRole, "unknown role '\(role.value)'" + Suggestion.didYouMean(role.value, in: knownRoles)
                             + "; roles are \(knownRoles.joined(separator: ", ")) unless a profile declares more",
                             at: role.location)
            }
            for sibling in card.siblings where !allKeys.contains(sibling.value) {
                reader.warning(.unknownSibling, "sibling '\(sibling.value)' is not a known card"
                               + Suggestion.didYouMean(sibling.value, in: allKeys), at: sibling.location)
            }
            if case .trailing(let d) = card.window, d.seconds == 0 {
                reader.error(.badDuration, "window must be longer than 0s", at: key.location)
            }
            if case .param(let name) = card.window {
                let durations = card.params.filter { $0.type == .duration }.map(\.name.value)
                if !durations.contains(name) {
                    reader.error(.badDuration, "window: params.\(name) names no duration parameter of this card"
                                 + Suggestion.didYouMean(name, in: durations)
                                 + (durations.isEmpty ? "; declare one under params (type: duration)" : ""), at: key.location)
                }
            }
        }
    }

    private func lintProfiles(_ set: ConfigSet, reader: NodeReader) {
        var firstByName: [String: Profile] = [:]
        for profile in set.profiles {
            if let first = firstByName[profile.name.value] {
                reader.error(.profileDuplicate,
                    "profile '\(profile.name.value)' is already defined in \(first.file):\(first.name.location.line); profile names must be unique",
                    at: profile.name.location)
            } else {
                firstByName[profile.name.value] = profile
            }
            let stem = ConfigFiles.stem(profile.file)
            if stem != profile.name.value {
                reader.warning(.profileNameFilename,
                    "profile '\(profile.name.value)' does not match the file name '\(stem)'; name the file \(profile.name.value).yaml",
                    at: profile.name.location)
            }
        }

        let resolver = ProfileResolver(profiles: set.profiles)
        let cardsLoaded = !set.cards.isEmpty || !set.brokenCardKeys.isEmpty
        let cardKeys = set.cards.map(\.key.value)
        for profile in set.profiles {
            if let timezone = profile.timezone, TimeZone(identifier: timezone.value) == nil {
                reader.error(.badTimezone, "unknown time zone '\(timezone.value)'"
                             + (Suggestion.nearest(to: timezone.value, in: TimeZone.knownTimeZoneIdentifiers).map { "; did you mean '\($0)'?" }
                                ?? "; use an IANA name such as Europe/London or America/New_York"), at: timezone.location)
            }
            for list in [profile.priorityMarkets ?? []] {
                for code in list where !CountryCodes.isValid(code.value) {
                    let hint = CountryCodes.suggestion(for: code.value).map { "; did you mean \($0)?" }
                        ?? "; use an ISO 3166-1 alpha-2 code such as US, GB, DE"
                    reader.error(.unknownCountry, "'\(code.value)' is not an ISO 3166-1 alpha-2 country code" + hint, at: code.location)
                }
            }
            let roles: [String]
            switch resolver.resolve(profile) {
            case .failure(let diagnostic):
                // Report a chain problem once, at the profile whose `extends` breaks it.
                if diagnostic.location.file == profile.file { reader.diagnosticsAppend(diagnostic) }
                roles = profile.roles?.map(\.value) ?? Roles.standard
            case .success(let resolved):
                roles = resolved.roles
                if profile.sources != nil { lintSources(resolved.sources, profile: profile.name.value, reader: reader) }
            }
            for override in profile.cards {
                for role in override.roles ?? [] where !roles.contains(role.value) {
                    reader.error(.unknownRole, "unknown role '\(role.value)'" + Suggestion.didYouMean(role.value, in: roles)
                                 + "; this profile's roles are \(roles.joined(separator: ", "))", at: role.location)
                }
                guard cardsLoaded else { continue }
                guard let card = set.card(override.key.value) else {
                    if set.brokenCardKeys.contains(override.key.value) { continue }
                    reader.error(.unknownCard, "no card has the key '\(override.key.value)'"
                                 + Suggestion.didYouMean(override.key.value, in: cardKeys), at: override.key.location)
                    continue
                }
                for param in override.params {
                    guard let declaration = card.param(named: param.name.value) else {
                        let declared = card.params.map(\.name.value)
                        reader.error(.unknownParam, "card '\(card.key.value)' has no parameter '\(param.name.value)'"
                                     + (Suggestion.nearest(to: param.name.value, in: declared).map { "; did you mean '\($0)'?" }
                                        ?? (declared.isEmpty ? "; it declares none" : "; it declares " + declared.joined(separator: ", "))),
                                     at: param.name.location)
                        continue
                    }
                    _ = reader.paramValue(param.node, type: declaration.type, "parameter '\(param.name.value)' of card '\(card.key.value)'")
                }
            }
        }
    }
}

extension Linter {
    /// The keys a connector needs that no profile of the chain sets, reported at the nearest
    /// profile's section.
    private func lintSources(_ sources: ConnectorSources, profile: String, reader: NodeReader) {
        let before = reader.diagnostics.count
        defer { reader.hideSource(from: before) }
        func missing<K: SourceKey>(_ set: Set<K>, _ connector: String, at location: SourceLocation) {
            for key in K.allCases where key.isRequired && !set.contains(key) {
                reader.error(.missingKey, "sources.\(connector) of profile '\(profile)' is missing the required key '\(key.rawValue)' (\(key.doc))",
                             at: location)
            }
        }
        if let bc = sources.bigcommerce {
            missing(bc.keysSet, "bigcommerce", at: bc.location)
            let notInventory = bc.stockFrom?.value == .catalog || !bc.written.contains(BigCommerceKey.stockFrom.rawValue)
            if let locations = bc.locations, notInventory, let first = locations.first {
                reader.error(.invalidValue, "sources.bigcommerce.locations is used only with stock_from: inventory; set stock_from: inventory or remove locations",
                             at: first.location)
            }
        }
        if let ae = sources.aliexpress { missing(ae.keysSet, "aliexpress", at: ae.location) }
    }
}

extension NodeReader {
    func diagnosticsAppend(_ diagnostic: Diagnostic) {
        if diagnostic.severity == .error {
            error(diagnostic.rule, diagnostic.message, at: diagnostic.location)
        } else {
            warning(diagnostic.rule, diagnostic.message, at: diagnostic.location)
        }
    }
}
