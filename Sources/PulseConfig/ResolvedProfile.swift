import PulseDiagnostics

/// A card's settings in a profile after `extends` is applied.
public struct ResolvedCardSettings: Sendable {
    /// The alert replacement, if any profile in the chain set one.
    public var alert: AlertSetting?
    /// Parameter overrides by name (nearest profile wins).
    public var params: [String: ParamOverride] = [:]
    /// The roles replacement, if set.
    public var roles: [Located<String>]?
    /// Whether the card runs, if set.
    public var enabled: Located<Bool>?
}

/// A profile with its `extends` chain applied and defaults filled in.
public struct ResolvedProfile: Sendable {
    /// The profile's name.
    public var name: String
    /// The profile's own file.
    public var file: String
    /// The names from this profile up to the root of its chain.
    public var chain: [String]
    /// The IANA time zone (default UTC).
    public var timezone: String
    /// The roles this merchant uses (default: owner, operations, finance, marketing).
    public var roles: [String]
    /// Priority markets (default none).
    public var priorityMarkets: [String]
    /// Buffer SKUs (default none).
    public var bufferSkus: [String]
    /// SKUs fulfilled outside BigCommerce's stock (default none).
    public var separateFulfilmentSkus: [String]
    /// Per-card settings by card key.
    public var cards: [String: ResolvedCardSettings]
    /// The connectors, merged along the chain by connector and key.
    public var sources: ConnectorSources = .none
    /// Data older than this is stale (nil: never stale); a source's own `stale_after` wins.
    public var staleAfter: ConfigDuration? = nil
    /// The most listing SKUs, in percent, that may lack a BigCommerce stock record before the
    /// cards that read stock have no data (default 5).
    public var maxUnmatchedSKUs: Double = ResolvedProfile.defaultMaxUnmatchedSKUs
    /// Where alerts are sent: channels merged by name along the chain, routes and quiet hours
    /// from the nearest profile that sets them.
    public var notifications = ResolvedNotifications()

    /// The store's display name (`store_name:`; nil: the dashboard shows the profile's name).
    public var storeName: String? = nil

    /// `data_quality.max_unmatched_skus` when no profile sets it: 5%.
    public static let defaultMaxUnmatchedSKUs = 5.0
}

/// Applies `extends` chains.
public struct ProfileResolver: Sendable {
    private let byName: [String: Profile]

    /// A resolver over `profiles` (the first profile of a name wins; duplicates are a lint error).
    public init(profiles: [Profile]) {
        var byName: [String: Profile] = [:]
        for profile in profiles where byName[profile.name.value] == nil {
            byName[profile.name.value] = profile
        }
        self.byName = byName
    }

    /// The profile called `name` with its chain applied, or the diagnostics that prevent it
    /// (an unknown parent, a cycle).
    public func resolve(_ profile: Profile) -> Result<ResolvedProfile, Diagnostic> {
        var chain = [profile]
        var current = profile
        while let parent = current.extends {
            if let index = chain.firstIndex(where: { $0.name.value == parent.value }) {
                let names = chain[index...].map(\.name.value) + [parent.value]
                // A profile inside the cycle is told at its own `extends`; one that only leads
                // into a cycle gets the diagnostic located at the cycle.
                let location = index == 0 ? (profile.extends?.location ?? parent.location) : parent.location
                return .failure(.error(.extendsCycle,
                    "profile '\(chain[index].name.value)' extends itself through " + names.joined(separator: " -> ")
                    + "; remove one of these extends", at: location))
            }
            guard let next = byName[parent.value] else {
                return .failure(.error(.extendsUnknown,
                    "profile '\(current.name.value)' extends '\(parent.value)', which is not a profile"
                    + Suggestion.didYouMean(parent.value, in: byName.keys.sorted()), at: parent.location))
            }
            chain.append(next)
            current = next
        }
        var resolved = ResolvedProfile(
            name: profile.name.value, file: profile.file, chain: chain.map(\.name.value), timezone: "UTC",
            roles: Roles.standard, priorityMarkets: [], bufferSkus: [], separateFulfilmentSkus: [], cards: [:])
        // Apply from the root down, so that nearer profiles override.
        for p in chain.reversed() {
            if let v = p.timezone { resolved.timezone = v.value }
            if let v = p.roles { resolved.roles = v.map(\.value) }
            if let v = p.priorityMarkets { resolved.priorityMarkets = v.map(\.value) }
            if let v = p.bufferSkus { resolved.bufferSkus = v.map(\.value) }
            if let v = p.separateFulfilmentSkus { resolved.separateFulfilmentSkus = v.map(\.value) }
            if let v = p.sources { resolved.sources = resolved.sources.overridden(by: v) }
            if let v = p.staleAfter { resolved.staleAfter = v.value }
            if let v = p.maxUnmatchedSKUs { resolved.maxUnmatchedSKUs = v.value }
            if let v = p.storeName { resolved.storeName = v.value }
            if let v = p.notifications { resolved.notifications.apply(v) }
            for override in p.cards {
                var settings = resolved.cards[override.key.value] ?? ResolvedCardSettings()
                if let alert = override.alert { settings.alert = alert }
                for param in override.params { settings.params[param.name.value] = param }
                if let roles = override.roles { settings.roles = roles }
                if let enabled = override.enabled { settings.enabled = enabled }
                resolved.cards[override.key.value] = settings
            }
        }
        return .success(resolved)
    }

    /// The profile called `name`, if there is one.
    public func profile(named name: String) -> Profile? { byName[name] }
}
