import PulseYAML

/// The keys of one kind of config mapping, one case each: the single table its decoder (known
/// and required keys, did-you-mean), the README's key table and the tests derive from.
public protocol ConfigKey: CaseIterable, Sendable, RawRepresentable where RawValue == String, AllCases == [Self] {
    /// Whether a mapping of this kind must have it.
    var required: Bool { get }
    /// What it holds, for the README.
    var doc: String { get }
}

extension ConfigKey {
    /// Every key's name, in declaration order.
    public static var names: [String] { allCases.map { $0.rawValue } }
    /// The required keys' names.
    public static var requiredNames: [String] { allCases.filter { $0.required }.map { $0.rawValue } }

    /// The README's table of these keys.
    public static var readmeTable: String {
        "| key | required | what it holds |\n|---|:---:|---|\n"
            + allCases.map { "| `\($0.rawValue)` | \($0.required ? "yes" : "") | \($0.doc) |\n" }.joined()
    }
}

/// A decoded mapping's pairs, read by typed key (a misspelt key does not compile).
struct KeyedFields<Key: ConfigKey> {
    let pairs: [String: YAMLPair]

    subscript(_ key: Key) -> YAMLPair? { pairs[key.rawValue] }
}

extension NodeReader {
    /// The pairs of mapping `node` by `Key` (unknown keys and missing required ones reported), or
    /// nil when it is not a mapping; `except` keys are not allowed here.
    func fields<Key: ConfigKey>(of node: YAMLNode, in context: String, keys: Key.Type, except: [Key] = []) -> KeyedFields<Key>? {
        let excluded = Set(except.map(\.rawValue))
        let allowed = Key.allCases.filter { !excluded.contains($0.rawValue) }
        let known = allowed.map { $0.rawValue }, required = allowed.filter { $0.required }.map { $0.rawValue }
        return fields(of: node, in: context, known: known, required: required).map { KeyedFields<Key>(pairs: $0) }
    }
}

/// The keys of a card file (`cards/<connector>/<key>.yaml`).
public enum CardKey: String, ConfigKey {
    case key, title, description, connector
    case `class`, category, unit, window, roles
    case sentimentKey = "sentiment_key"
    case siblings, params, from
    case `where`, measure
    case groupBy = "group_by"
    case alert, rows
    case rowsWhere = "rows_where"

    public var required: Bool { [.key, .title, .connector, .from, .measure].contains(self) }

    public var doc: String {
        switch self {
        case .key: "unique; `[a-z0-9_]+`; the file is named after it"
        case .title: "the card's name on the dashboard"
        case .description: "what it means, for people"
        case .connector: "the marketplace it watches (`aliexpress`)"
        case .class: "`hero` or `non-hero` (default): hero cards come first"
        case .category: "a free label"
        case .unit: "`count` (default) or `percent`"
        case .window: "`RT` (default), a duration, or `params.NAME`"
        case .roles: "who sees it (default: every role of the profile)"
        case .sentimentKey: "the key of the alert the card stands for (shown by `pulse cards`)"
        case .siblings: "the keys of related cards (`validate` checks each exists)"
        case .params: "typed knobs a profile may override: `NAME: {type, default, description}`"
        case .from: "the rows it runs over: `listings`, `skus` or `audit_events`"
        case .where: "CEL: which rows count"
        case .measure: "`count`, `count_distinct(EXPR)`, `sum(EXPR)` or `percent(EXPR)`"
        case .groupBy: "CEL: the breakdown label"
        case .alert: "when it fires: a trigger such as `\"> 0\"`, or the long form with `warn`/`critical`, `for`, `spike`"
        case .rows: "the worklist's columns, `name: EXPR`"
        case .rowsWhere: "CEL: which counted rows make the worklist (an extension)"
        }
    }
}

/// The keys of a profile file (`profiles/<name>.yaml`).
public enum ProfileKey: String, ConfigKey {
    case profile, extends, timezone, roles
    case priorityMarkets = "priority_markets"
    case bufferSkus = "buffer_skus"
    case separateFulfilmentSkus = "separate_fulfilment_skus"
    case cards, sources
    case staleAfter = "stale_after"
    case dataQuality = "data_quality"
    case notifications
    case storeName = "store_name"

    public var required: Bool { self == .profile }

    public var doc: String {
        switch self {
        case .profile: "the profile's name"
        case .extends: "the profile it inherits from"
        case .timezone: "IANA time zone of the merchant's day"
        case .roles: "the roles of its team"
        case .priorityMarkets: "ISO 3166-1 alpha-2 codes of the markets that matter"
        case .bufferSkus: "SKUs deliberately sold past BigCommerce zero"
        case .separateFulfilmentSkus: "SKUs fulfilled from stock BigCommerce does not track"
        case .cards: "per-card settings: `alert`, `params`, `roles`, `enabled`"
        case .sources: "the stores `pulse pull` reads"
        case .staleAfter: "how old data may be before cards say stale"
        case .dataQuality: "`max_unmatched_skus`: the unmatched-stock percent past which stock cards have no data"
        case .notifications: "channels, routes and quiet hours"
        case .storeName: "the store's name on the dashboard"
        }
    }
}

/// The keys of one card's entry under a profile's `cards`.
public enum ProfileCardKey: String, ConfigKey {
    case alert, params, roles, enabled

    public var required: Bool { false }

    public var doc: String {
        switch self {
        case .alert: "the card's alert for this merchant, or `off`"
        case .params: "parameter values, typed against the card's declarations"
        case .roles: "who sees the card, replacing its own roles"
        case .enabled: "whether it runs"
        }
    }
}

/// The keys of a test file (`card-tests/*.yaml`).
public enum TestFileKey: String, ConfigKey {
    case cards, profiles, profile, now, tests

    public var required: Bool { self == .profile || self == .tests }

    public var doc: String {
        switch self {
        case .cards: "the cards folder, relative to the test file (default: `--cards`)"
        case .profiles: "the profiles folder, relative to the test file (default: `--profiles`)"
        case .profile: "a profile name, a path, or an inline profile"
        case .now: "the clock of every case (RFC 3339)"
        case .tests: "the cases"
        }
    }
}
