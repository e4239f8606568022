import PulseDiagnostics
import PulseYAML

extension Profile {
    /// Decodes a profile from a file's root node; nil (with diagnostics) when it has no name.
    static func decode(_ root: YAMLNode, file: String, reader: NodeReader) -> Profile? {
        guard let f = reader.fields(of: root, in: "a profile", keys: ProfileKey.self) else { return nil }
        let name = f[.profile].flatMap { reader.nonEmptyString($0.value, "profile") }
        let profile = build(f, name: name ?? Located("", at: root.location), file: file, reader: reader)
        return name == nil ? nil : profile
    }

    /// Decodes a profile written inline (in a test file): the same keys as a profile file
    /// except `profile`, named `name`.
    static func decodeInline(_ node: YAMLNode, name: String, file: String, reader: NodeReader) -> Profile? {
        guard let f = reader.fields(of: node, in: "an inline profile", keys: ProfileKey.self, except: [.profile]) else { return nil }
        return build(f, name: Located(name, at: node.location), file: file, reader: reader)
    }

    private static func build(_ f: KeyedFields<ProfileKey>, name: Located<String>, file: String, reader: NodeReader) -> Profile {
        let extends = f[.extends].flatMap { reader.nonEmptyString($0.value, "extends") }
        let timezone = f[.timezone].flatMap { reader.nonEmptyString($0.value, "timezone") }
        let roles = f[.roles].flatMap { reader.stringList($0.value, "roles") }
        let markets = f[.priorityMarkets].flatMap { reader.stringList($0.value, "priority_markets") }
        let buffer = f[.bufferSkus].flatMap { reader.stringList($0.value, "buffer_skus") }
        let separate = f[.separateFulfilmentSkus].flatMap { reader.stringList($0.value, "separate_fulfilment_skus") }
        let cards = f[.cards].map { decodeCards($0.value, reader: reader) } ?? []
        let sources = f[.sources].map { ConnectorSources.decode($0.value, reader: reader) }
        var profile = Profile(file: file, name: name, extends: extends, timezone: timezone, roles: roles,
                              priorityMarkets: markets, bufferSkus: buffer, separateFulfilmentSkus: separate, cards: cards,
                              sources: sources)
        profile.staleAfter = f[.staleAfter].flatMap { reader.staleAfter($0.value, "stale_after") }
        if let p = f[.dataQuality], let g = reader.fields(of: p.value, in: "data_quality", known: ["max_unmatched_skus"], required: []) {
            profile.maxUnmatchedSKUs = g["max_unmatched_skus"].flatMap { reader.percent($0.value, "data_quality.max_unmatched_skus") }
        }
        profile.notifications = f[.notifications].flatMap { NotificationSettings.decode($0.value, reader: reader) }
        profile.storeName = f[.storeName].flatMap { reader.nonEmptyString($0.value, "store_name") }
        return profile
    }

    private static func decodeCards(_ node: YAMLNode, reader: NodeReader) -> [CardOverride] {
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            reader.error(.wrongType, "cards must be a mapping of card keys to settings, not \(node.kindDescription)", at: node.location)
            return []
        }
        return pairs.compactMap { pair in
            guard let key = reader.nonEmptyString(pair.key, "a card key") else { return nil }
            let context = "the settings of card '\(key.value)'"
            if pair.value.isNull { return CardOverride(key: key, alert: nil, params: [], roles: nil, enabled: nil) }
            guard let f = reader.fields(of: pair.value, in: context, keys: ProfileCardKey.self) else { return nil }
            var alert: AlertSetting?
            if let node = f[.alert]?.value {
                if node.isNull {
                    alert = .off
                } else if let rule = reader.alertRule(node) {
                    alert = .rule(rule)
                }
            }
            var params: [ParamOverride] = []
            if let node = f[.params]?.value {
                if let entries = node.mapping {
                    for entry in entries {
                        if let name = reader.nonEmptyString(entry.key, "a parameter name") {
                            params.append(ParamOverride(name: name, node: entry.value, card: key.value))
                        }
                    }
                } else if !node.isNull {
                    reader.error(.wrongType, "params must be a mapping of parameter names to values, not \(node.kindDescription)", at: node.location)
                }
            }
            let roles = f[.roles].flatMap { reader.stringList($0.value, "roles") }
            let enabled = f[.enabled].flatMap { reader.bool($0.value, "enabled") }
            return CardOverride(key: key, alert: alert, params: params, roles: roles, enabled: enabled)
        }
    }
}
