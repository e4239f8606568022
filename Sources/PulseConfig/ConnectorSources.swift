import PulseDiagnostics

/// A `${NAME}` reference to the environment variable that holds a secret. Profiles never hold
/// secrets themselves, so that they can be committed; the value is read only when a pull runs.
public struct SecretReference: Sendable, Equatable {
    /// The environment variable's name.
    public var variable: String
    /// Where the reference is written.
    public var location: SourceLocation

    /// A reference to `variable`.
    public init(variable: String, at location: SourceLocation) {
        self.variable = variable
        self.location = location
    }

    /// `${NAME}` -> `NAME`; nil for anything else (a literal secret, `$NAME`, `${}`).
    public static func variableName(in text: String) -> String? {
        guard text.hasPrefix("${"), text.hasSuffix("}"), text.count > 3 else { return nil }
        let name = text.dropFirst(2).dropLast()
        let valid = name.utf8.enumerated().allSatisfy { i, b in
            b == UInt8(ascii: "_") || (b >= 65 && b <= 90) || (b >= 97 && b <= 122) || (i > 0 && b >= 48 && b <= 57)
        }
        return valid ? String(name) : nil
    }
}

/// Where BigCommerce stock levels come from.
public enum StockSource: String, CaseIterable, Sendable {
    /// The Catalog API's `inventory_level` (the default location only).
    case catalog
    /// The Inventory API's `available_to_sell`, summed over the chosen locations.
    case inventory
}

/// An AliExpress product list `pulse pull` reads, named as AliExpress names it.
public enum AliExpressStatus: String, CaseIterable, Sendable {
    case onSelling, auditing, editingRequired, offline
}

/// One key of a connector's settings: its name, whether a profile chain must set it, whether
/// it is a secret (`${NAME}` only) and what it means. The README's sources table and
/// `pulse cards --sources` are generated from these tables.
public protocol SourceKey: RawRepresentable, CaseIterable, Sendable where RawValue == String {
    /// Whether the resolved profile must set it.
    var isRequired: Bool { get }
    /// Whether its value must be a `${NAME}` reference.
    var isSecret: Bool { get }
    /// What it means, one line.
    var doc: String { get }
}

/// The keys of `sources.bigcommerce`.
public enum BigCommerceKey: String, SourceKey {
    case storeHash = "store_hash"
    case accessToken = "access_token"
    case stockFrom = "stock_from"
    case locations
    case apiBase = "api_base"
    case staleAfter = "stale_after"

    public var isRequired: Bool { self == .storeHash || self == .accessToken }
    public var isSecret: Bool { self == .accessToken }
    public var doc: String {
        switch self {
        case .storeHash: "the store's hash, as in `api.bigcommerce.com/stores/{store_hash}`"
        case .accessToken: "an API account's access token (`X-Auth-Token`), as `${NAME}`"
        case .stockFrom: "`catalog` (default: variant or product `inventory_level`) or `inventory` (Inventory API, summed over `locations`)"
        case .locations: "location ids summed with `stock_from: inventory` (default: every enabled location)"
        case .apiBase: "default `https://api.bigcommerce.com`"
        case .staleAfter: "stock older than this is stale (wins over the profile's `stale_after`)"
        }
    }
}

/// The keys of `sources.aliexpress`.
public enum AliExpressKey: String, SourceKey {
    case appKey = "app_key"
    case appSecret = "app_secret"
    case session
    case gateway
    case statuses
    case categoryRestrictions = "category_restrictions"
    case timeOffset = "time_offset"
    case staleAfter = "stale_after"

    public var isRequired: Bool { self == .appKey || self == .appSecret || self == .session }
    public var isSecret: Bool { self == .appSecret || self == .session }
    public var doc: String {
        switch self {
        case .appKey: "the app's key (not a secret)"
        case .appSecret: "the app's secret, which signs every call, as `${NAME}`"
        case .session: "the seller's access token, as `${NAME}`"
        case .gateway: "default `https://api-sg.aliexpress.com`; calls go to `{gateway}/sync`"
        case .statuses: "the product lists pulled (default all four: onSelling, auditing, editingRequired, offline)"
        case .categoryRestrictions: "a JSON Lines file of category restrictions, relative to the profile"
        case .timeOffset: "the UTC offset of AliExpress's `gmt_*` times (default `+08:00`, China time)"
        case .staleAfter: "listings, templates and events older than this are stale (wins over the profile's `stale_after`)"
        }
    }
}

/// A profile's `sources.bigcommerce`, as one profile file writes it (every key optional, so
/// that a profile can extend another's).
public struct BigCommerceSettings: SourceSettings {
    /// Empty settings of a section starting at `location`.
    public init(location: SourceLocation) { self.location = location }

    public var storeHash: Located<String>?
    public var accessToken: SecretReference?
    public var stockFrom: Located<StockSource>?
    public var locations: [Located<Int>]?
    public var apiBase: Located<String>?
    /// Stock older than this is stale.
    public var staleAfter: Located<ConfigDuration>?
    /// Where the section starts (for a missing required key).
    public var location: SourceLocation

    /// The keys written (valid or not), so that a check can tell what the chain still lacks.
    public var keysSet: Set<BigCommerceKey> { Set(written.compactMap(BigCommerceKey.init(rawValue:))) }
    /// The names of the keys written in the section.
    public var written: Set<String> = []

    /// The keys `extends` merges: a key the nearer file sets replaces the parent's.
    static let overridable: [Overridable<Self>] = [.init(\.storeHash), .init(\.accessToken), .init(\.stockFrom), .init(\.locations), .init(\.apiBase), .init(\.staleAfter)]
}

/// A profile's `sources.aliexpress`, as one profile file writes it.
public struct AliExpressSettings: SourceSettings {
    /// Empty settings of a section starting at `location`.
    public init(location: SourceLocation) { self.location = location }

    public var appKey: Located<String>?
    public var appSecret: SecretReference?
    public var session: SecretReference?
    public var gateway: Located<String>?
    public var statuses: [Located<AliExpressStatus>]?
    /// The path as written; relative to the file of its location.
    public var categoryRestrictions: Located<String>?
    /// Seconds east of UTC of AliExpress's `gmt_*` times.
    public var timeOffset: Located<Int>?
    /// AliExpress data older than this is stale.
    public var staleAfter: Located<ConfigDuration>?
    public var location: SourceLocation

    /// The keys written (valid or not).
    public var keysSet: Set<AliExpressKey> { Set(written.compactMap(AliExpressKey.init(rawValue:))) }
    /// The names of the keys written in the section.
    public var written: Set<String> = []

    /// The keys `extends` merges: a key the nearer file sets replaces the parent's.
    static let overridable: [Overridable<Self>] = [.init(\.appKey), .init(\.appSecret), .init(\.session), .init(\.gateway), .init(\.statuses),
                                                   .init(\.categoryRestrictions), .init(\.timeOffset), .init(\.staleAfter)]
}

/// A profile's `sources` section: where `pulse pull` gets the snapshot from.
public struct ConnectorSources: Sendable {
    public var bigcommerce: BigCommerceSettings?
    public var aliexpress: AliExpressSettings?

    /// No connector configured.
    public static let none = ConnectorSources(bigcommerce: nil, aliexpress: nil)

    /// Whether no connector is configured.
    public var isEmpty: Bool { bigcommerce == nil && aliexpress == nil }

    /// `self` merged with a nearer profile's section: by connector, key by key.
    public func overridden(by nearer: ConnectorSources) -> ConnectorSources {
        ConnectorSources(
            bigcommerce: merge(bigcommerce, nearer.bigcommerce) { $0.overridden(by: $1) },
            aliexpress: merge(aliexpress, nearer.aliexpress) { $0.overridden(by: $1) })
    }

    private func merge<T>(_ a: T?, _ b: T?, _ combine: (T, T) -> T) -> T? {
        switch (a, b) {
        case (let a?, let b?): combine(a, b)
        case (let a?, nil): a
        case (nil, let b): b
        }
    }

    /// The names of the connectors a profile may configure.
    public static let connectorNames = ["bigcommerce", "aliexpress"]
}

extension ConnectorSources {
    /// The README's table of the `sources` keys, generated from ``BigCommerceKey`` and ``AliExpressKey``.
    public static var readmeTable: String {
        func rows<K: SourceKey>(_ connector: String, _ keys: K.Type) -> String {
            K.allCases.map { key in
                "| `\(connector).\(key.rawValue)` | \(key.isRequired ? "yes" : "no") | \(key.isSecret ? "`${NAME}` only" : "") | \(key.doc) |\n"
            }.joined()
        }
        return "| key | required | secret | meaning |\n|---|---|---|---|\n" + rows("bigcommerce", BigCommerceKey.self) + rows("aliexpress", AliExpressKey.self)
    }
}

/// One optional key of a settings section, as `extends` merges it.
struct Overridable<Settings>: Sendable {
    /// Sets the key in the first settings from the second when the second has it.
    let take: @Sendable (inout Settings, Settings) -> Void

    init<Value>(_ key: WritableKeyPath<Settings, Value?> & Sendable) {
        take = { out, nearer in
            if let value = nearer[keyPath: key] { out[keyPath: key] = value }
        }
    }
}

/// A connector's settings section: keys that `extends` merges one by one.
protocol SourceSettings: Sendable {
    static var overridable: [Overridable<Self>] { get }
    var location: SourceLocation { get set }
    var written: Set<String> { get set }
}

extension SourceSettings {
    /// `self` with every key `nearer` sets replaced (`extends`: keys inside replace the parent's).
    func overridden(by nearer: Self) -> Self {
        var out = self
        out.location = nearer.location
        out.written.formUnion(nearer.written)
        for key in Self.overridable { key.take(&out, nearer) }
        return out
    }
}
