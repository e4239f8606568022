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
        var resolvedProfiles: [(profile: Profile, resolved: ResolvedProfile)] = []
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
                resolvedProfiles.append((profile, resolved))
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
                    reader.diagnostics += param.diagnostics(as: declaration.type)
                }
            }
            if let routes = profile.notifications?.routes {
                lintRouteMatches(routes, profile: profile.name.value, roles: roles, set: set, cardsLoaded: cardsLoaded, reader: reader)
            }
        }
        lintNotificationChannels(resolvedProfiles, extended: Set(set.profiles.compactMap { $0.extends?.value }), resolver: resolver, reader: reader)
    }
}

extension Linter {
    /// The cards and roles a profile's own routes match: each must exist (cards only when cards
    /// are among the linted paths).
    private func lintRouteMatches(_ routes: [NotificationRoute], profile: String, roles: [String], set: ConfigSet, cardsLoaded: Bool,
                                  reader: NodeReader) {
        let before = reader.diagnostics.count
        defer { reader.hideSource(from: before) }
        let cardKeys = set.cards.map(\.key.value)
        for route in routes {
            for role in route.match.writtenRoles where !roles.contains(role.value) {
                reader.error(.unknownRole, "unknown role '\(role.value)' in a route's match.roles" + Suggestion.didYouMean(role.value, in: roles)
                             + "; this profile's roles are \(roles.joined(separator: ", "))", at: role.location)
            }
            guard cardsLoaded else { continue }
            for card in route.match.writtenCards where set.card(card.value) == nil && !set.brokenCardKeys.contains(card.value) {
                reader.error(.unknownCard, "a route's match.cards names '\(card.value)', but no card has that key"
                             + Suggestion.didYouMean(card.value, in: cardKeys), at: card.location)
            }
        }
    }

    /// Route targets and channels across `extends`: a route's channel name must be a channel of
    /// the profiles that inherit the route, and a channel should be reached by a route.
    ///
    /// A name a route sends to is reported once, for the profile that writes it, when no profile
    /// inheriting the route has that channel (a typo); when only some lack it, each of those
    /// that no profile extends is reported (a parent may leave its channels to its children). A
    /// channel, as written, is unused when no profile inheriting it has a route to it.
    private func lintNotificationChannels(_ profiles: [(profile: Profile, resolved: ResolvedProfile)], extended: Set<String>,
                                          resolver: ProfileResolver, reader: NodeReader) {
        let before = reader.diagnostics.count
        defer { reader.hideSource(from: before) }
        // A channel that did not decode is reported where it is written, not again at its routes.
        let broken = profiles.map { entry in
            Set(entry.resolved.chain.flatMap { resolver.profile(named: $0)?.notifications?.brokenChannelNames ?? [] })
        }
        // Each name as written (by where), and which profiles inherit it.
        var targets: [SourceLocation: (name: Located<String>, holders: [Int])] = [:]
        var targetOrder: [SourceLocation] = []
        var channels: [SourceLocation: (name: Located<String>, holders: [Int])] = [:]
        var channelOrder: [SourceLocation] = []
        for (i, entry) in profiles.enumerated() {
            for name in entry.resolved.notifications.routes.flatMap(\.to) {
                if targets[name.location] == nil { targetOrder.append(name.location) }
                targets[name.location, default: (name, [])].holders.append(i)
            }
            for channel in entry.resolved.notifications.channels {
                if channels[channel.name.location] == nil { channelOrder.append(channel.name.location) }
                channels[channel.name.location, default: (channel.name, [])].holders.append(i)
            }
        }
        // The profile that writes a name: the one whose file holds it, else the first to inherit it.
        func writer(of location: SourceLocation, among holders: [Int]) -> Int? {
            holders.first { profiles[$0].profile.file == location.file } ?? holders.first
        }
        for location in targetOrder {
            guard let (name, holders) = targets[location] else { continue }
            let lacking = holders.filter { profiles[$0].resolved.notifications.channel(named: name.value) == nil && !broken[$0].contains(name.value) }
            if lacking.isEmpty { continue }
            let reported = lacking.count == holders.count
                ? writer(of: location, among: holders).map { [$0] } ?? []
                : lacking.filter { !extended.contains(profiles[$0].profile.name.value) }
            // A typo may be of a channel the children define.
            let everyName = Set(holders.flatMap { profiles[$0].resolved.notifications.channels.map(\.name.value) })
            for i in reported {
                let profile = profiles[i].resolved
                let names = profile.notifications.channels.map(\.name.value)
                let hint = Suggestion.nearest(to: name.value, in: names.isEmpty ? everyName.sorted() : names).map { "; did you mean '\($0)'?" }
                    ?? (names.isEmpty ? "; it has no channels" : "; its channels are " + names.joined(separator: ", "))
                reader.error(.unknownChannel, "route sends to '\(name.value)', which is not a channel of profile '\(profile.name)'" + hint,
                             at: name.location)
            }
        }
        for location in channelOrder {
            guard let (name, holders) = channels[location] else { continue }
            let reached = holders.contains { i in profiles[i].resolved.notifications.routes.contains { $0.to.contains { $0.value == name.value } } }
            guard !reached, let i = writer(of: location, among: holders) else { continue }
            reader.warning(.unusedChannel, "channel '\(name.value)' of profile '\(profiles[i].resolved.name)' is reached by no route, so nothing is sent to it; "
                           + "add a route with to: [\(name.value)], or remove the channel", at: name.location)
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
