import PulseDiagnostics
import PulseYAML

/// What a profile says about a card's alert.
public enum AlertSetting: Sendable {
    /// Replace the card's alert with this one.
    case rule(AlertRule)
    /// `alert: null`: the card never alerts for this merchant.
    case off
}

/// A profile's tuning of one card (its sensitivity settings).
public struct CardOverride: Sendable {
    /// The card key, as written.
    public var key: Located<String>
    /// The alert replacement, if set.
    public var alert: AlertSetting?
    /// Parameter overrides, typed against the card's declarations when the profile is checked.
    public var params: [ParamOverride]
    /// Who may see the card, replacing the card's own roles.
    public var roles: [Located<String>]?
    /// Whether the card runs at all.
    public var enabled: Located<Bool>?
}

/// One parameter a profile sets for a card, typed when the profile is read: as each parameter
/// type, since only the card's declaration says which it is (``value(as:)`` picks one). No YAML
/// node outlives decoding.
public struct ParamOverride: Sendable {
    /// The parameter name.
    public var name: Located<String>
    /// The value as each type (nil when it is not one), with what typing it found.
    let typings: [ParamType: (value: ParamValue?, diagnostics: [Diagnostic])]
}

/// One merchant's settings, decoded from `profiles/<name>.yaml`; every field is optional except
/// the name, so that a profile can extend another and set only what differs.
public struct Profile: Sendable {
    /// The file it came from.
    public var file: String
    /// The profile's name.
    public var name: Located<String>
    /// The profile it extends.
    public var extends: Located<String>?
    /// An IANA time zone name.
    public var timezone: Located<String>?
    /// The roles this merchant uses.
    public var roles: [Located<String>]?
    /// ISO 3166-1 alpha-2 codes of the markets that matter most.
    public var priorityMarkets: [Located<String>]?
    /// SKUs deliberately sold past BigCommerce zero.
    public var bufferSkus: [Located<String>]?
    /// SKUs fulfilled from stock BigCommerce does not track.
    public var separateFulfilmentSkus: [Located<String>]?
    /// Per-card tuning, in file order.
    public var cards: [CardOverride]
    /// Where `pulse pull` gets snapshots from (connectors.md), if set here.
    public var sources: ConnectorSources?
    /// Data older than this is stale (alerting.md section 2), if set here.
    public var staleAfter: Located<ConfigDuration>? = nil
    /// `data_quality.max_unmatched_skus`, a percent (0-100), if set here.
    public var maxUnmatchedSKUs: Located<Double>? = nil
    /// Where alerts are sent (alerting.md section 4), if set here.
    public var notifications: NotificationSettings? = nil
    /// The store's display name for people (`store_name: Acme Outdoor`), if set here; an extension.
    public var storeName: Located<String>? = nil
}
