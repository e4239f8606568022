import PulseConfig
import PulseDiagnostics
import PulseEngine

/// `pulse cards`: the catalogue of cards and who sees them.
public enum CardsRunner {
    /// Lists the cards in `cardsDir` (with `profile`'s settings applied when given).
    /// The profile's connectors, one line each: what is pulled and which variables hold the
    /// secrets (never their values).
    static func sourcesLines(_ sources: ConnectorSources) -> String {
        guard !sources.isEmpty else { return "  none (add a sources section to pull snapshots; see the README)\n" }
        var out = ""
        if let bc = sources.bigcommerce {
            let stock = bc.stockFrom?.value ?? .catalog
            let locations = bc.locations.map { " at locations " + $0.map { String($0.value) }.joined(separator: ", ") } ?? ""
            out += "  bigcommerce: store \(bc.storeHash?.value ?? "?") at \(bc.apiBase?.value ?? "https://api.bigcommerce.com"), stock from \(stock.rawValue)\(locations)"
                + "; token from $\(bc.accessToken?.variable ?? "?")\n"
        }
        if let ae = sources.aliexpress {
            let statuses = ae.statuses.map { $0.map(\.value.rawValue) } ?? AliExpressStatus.allCases.map(\.rawValue)
            out += "  aliexpress: app \(ae.appKey?.value ?? "?") at \(ae.gateway?.value ?? "https://api-sg.aliexpress.com"), lists \(statuses.joined(separator: ", "))"
                + "; secret from $\(ae.appSecret?.variable ?? "?"), session from $\(ae.session?.variable ?? "?")\n"
        }
        return out
    }

    public static func run(cardsDir: String, profilesDir: String, profile: String?, role: String?) -> CommandOutput {
        let config: LoadedConfig
        switch LoadedConfig.load(cardsDir: cardsDir, profilesDir: profilesDir, profile: profile, command: "pulse cards") {
        case .failure(let f): return f.output
        case .success(let c): config = c
        }
        let roles = config.profile?.roles ?? Roles.standard
        if let role, !roles.contains(role) {
            return CommandFailure.usage("pulse cards: unknown role '\(role)'" + Suggestion.didYouMean(role, in: roles)
                                        + "; roles are \(roles.joined(separator: ", "))").output
        }
        let ordered = config.set.cards.sorted {
            ($0.cardClass == .hero ? 0 : 1, $0.key.value) < ($1.cardClass == .hero ? 0 : 1, $1.key.value)
        }
        var out = ""
        var matrix: [String: [String]] = [:]
        for card in ordered {
            let settings = config.plan?.settings(of: card.key.value)
            let cardRoles = settings?.roles ?? card.roles?.map(\.value) ?? roles
            let enabled = settings?.enabled ?? true
            if let role, !cardRoles.contains(role) { continue }
            for r in cardRoles { matrix[r, default: []].append(card.key.value) }
            let alert = settings.map { $0.alert?.description } ?? card.alert?.description
            out += "\(card.cardClass == .hero ? "★" : "·") \(card.key.value)\(enabled ? "" : "  (disabled by the profile)")\n"
            out += "    \(card.title)\n"
            if let description = card.description?.trimmingCharacters(in: " \n") { out += "    \(description)\n" }
            out += "    \(card.connector) · \(card.cardClass.rawValue) · \(card.category ?? "-") · unit \(card.unit.rawValue) · window \(settings?.window ?? card.window.description)"
            out += " · from \(card.from.rawValue) · measure \(card.measure.name) · alert \(alert ?? "none")\n"
            out += "    roles: \(cardRoles.joined(separator: ", "))\n"
            if let sentiment = card.sentimentKey { out += "    sentiment key: \(sentiment)\n" }
            for (i, p) in card.params.enumerated() {
                // With a profile: the effective value and where it came from; the card's default otherwise.
                if let settings, i < settings.paramValues.count, let source = settings.paramSources[i] {
                    out += "    param \(p.name.value): \(p.type.rawValue) = \(settings.paramValues[i]) (set in \(source); card default \(p.defaultValue))"
                } else {
                    out += "    param \(p.name.value): \(p.type.rawValue) = \(p.defaultValue)\(settings == nil ? "" : " (card default)")"
                }
                out += "\(p.description.map { " - \($0)" } ?? "")\n"
            }
        }
        out += "\nwho sees what\(config.profile.map { " (profile \($0.name))" } ?? ""):\n"
        for r in roles where role == nil || r == role {
            out += "  \(r): \((matrix[r] ?? []).joined(separator: ", "))\n"
        }
        if let profile = config.profile, role == nil || role == "owner" {
            out += "\nsources (pulse pull):\n" + sourcesLines(profile.sources)
        }
        return CommandOutput(stdout: out)
    }
}

private extension String {
    func trimmingCharacters(in set: String) -> String {
        var s = Substring(self)
        while let f = s.first, set.contains(f) { s = s.dropFirst() }
        while let l = s.last, set.contains(l) { s = s.dropLast() }
        return String(s)
    }
}
