import PulseDiagnostics
@testable import PulseConfig

/// Small valid files that the broken fixtures are built from.
enum LintFixtures {
    static let card = """
        key: ok_card
        title: OK
        connector: aliexpress
        class: hero
        unit: count
        window: RT
        roles: [owner]
        params:
          window: {type: duration, default: 24h}
          flag: {type: bool, default: false}
        from: listings
        where: listing.status == "active"
        measure: count
        alert: "> 0"

        """

    static let profile = """
        profile: ok
        timezone: UTC
        priority_markets: [US, GB]
        cards:
          ok_card:
            alert: ">= 2"

        """

    /// Lints files given as (path, text), in order.
    static func lint(_ files: [(String, String)], linter: Linter = Linter()) -> [Diagnostic] {
        var set = ConfigSet()
        for (path, text) in files { set.add(file: path, bytes: Array(text.utf8)) }
        return linter.lint(set)
    }

    /// Lints one card file (beside a valid profile) or one profile file (beside the valid card).
    static func lintOne(_ path: String, _ text: String) -> [Diagnostic] {
        if path.hasPrefix("profiles/") {
            return lint([("cards/a/ok_card.yaml", card), (path, text)])
        }
        return lint([(path, text), ("profiles/ok.yaml", "profile: ok\npriority_markets: [US]\n")])
    }
}

extension String {
    /// The text with the first occurrence of `old` replaced.
    func replacing1(_ old: String, _ new: String) -> String {
        guard let range = range(of: old) else { return self }
        return replacingCharacters(in: range, with: new)
    }
}
