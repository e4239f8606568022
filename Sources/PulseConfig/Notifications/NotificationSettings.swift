import PulseDiagnostics

/// The kinds of channel a profile's `notifications.channels` may name (alerting.md section 4).
public enum ChannelType: String, Sendable, CaseIterable {
    /// A Slack incoming webhook: Block Kit.
    case slack
    /// A Microsoft Teams Workflows webhook: an Adaptive Card.
    case teams
    /// PagerDuty Events API v2: one event per card transition.
    case pagerduty
    /// SMTP (`smtp://` with STARTTLS when offered, `smtps://` implicit TLS).
    case email
    /// Any HTTP receiver: Pulse's own grouped JSON.
    case webhook
}

/// What happened to a card (or a pull) that a route can match (alerting.md section 4).
public enum NotificationEventKind: String, Sendable, CaseIterable {
    case firing, escalated, deescalated, resolved
    /// A card became no data.
    case noData = "no_data"
    /// A card's data became stale.
    case stale
    /// A scheduled pull of `pulse serve` failed.
    case pullFailed = "pull_failed"
    /// A reminder while an alert stays firing and unacknowledged (`repeat_every`).
    case reminder
}

/// A day of the week, as quiet hours name it.
public enum Weekday: String, Sendable, CaseIterable {
    case mon, tue, wed, thu, fri, sat, sun

    /// Calendar's weekday number: 1 is Sunday.
    public var calendarWeekday: Int {
        switch self {
        case .sun: 1
        case .mon: 2
        case .tue: 3
        case .wed: 4
        case .thu: 5
        case .fri: 6
        case .sat: 7
        }
    }
}

/// One key of a channel under `notifications.channels` (besides `type`): which channel types
/// take it, whether it is required and a secret, and what it means. The decoder checks channels
/// against this table; `readmeTable` is its README form.
public enum ChannelKey: String, Sendable, CaseIterable {
    case url
    case routingKey = "routing_key"
    case smtp
    case from
    case to
    case caFile = "ca_file"

    /// Whether a channel of `type` takes the key.
    public func isTaken(by type: ChannelType) -> Bool {
        switch self {
        case .url: type != .email
        case .routingKey: type == .pagerduty
        case .smtp, .from, .to, .caFile: type == .email
        }
    }

    /// Whether a channel of `type` must set it.
    public func isRequired(for type: ChannelType) -> Bool {
        switch self {
        case .url: type != .pagerduty && type != .email
        case .routingKey: type == .pagerduty
        case .smtp, .from, .to: type == .email
        case .caFile: false
        }
    }

    /// Whether its value must be a `${NAME}` reference (PagerDuty's `url` is a plain address).
    public func isSecret(for type: ChannelType) -> Bool {
        switch self {
        case .url: type != .pagerduty && type != .email
        case .routingKey, .smtp: true
        case .from, .to, .caFile: false
        }
    }

    /// What it means for a channel of `type`, one line.
    public func doc(for type: ChannelType) -> String {
        switch (self, type) {
        case (.url, .slack): "the incoming webhook's URL, as `${NAME}`"
        case (.url, .teams): "the Workflows webhook's URL, as `${NAME}`"
        case (.url, .webhook): "the receiver's URL, as `${NAME}` (it may hold a token)"
        case (.url, .pagerduty): "the Events API v2 endpoint (default `https://events.pagerduty.com/v2/enqueue`)"
        case (.url, .email): "not taken (email uses `smtp`)"
        case (.routingKey, _): "the integration's routing key, as `${NAME}`"
        case (.smtp, _): "the server as `smtp://user:password@host:port` (STARTTLS when offered) or `smtps://…` (implicit TLS), as `${NAME}`"
        case (.from, _): "the sender address, such as `pulse@example.com`"
        case (.to, _): "the recipients: an address or a list of them"
        case (.caFile, _): "a PEM file of extra certificate authorities to trust (a company relay's own CA), relative to where pulse runs"
        }
    }

    /// The README's channel keys table: one row per type and key.
    public static var readmeTable: String {
        var out = "| type | key | required | secret | meaning |\n|---|---|---|---|---|\n"
        for type in ChannelType.allCases {
            for key in allCases where key.isTaken(by: type) {
                out += "| `\(type.rawValue)` | `\(key.rawValue)` | \(key.isRequired(for: type) ? "yes" : "no") | \(key.isSecret(for: type) ? "`${NAME}` only" : "") | \(key.doc(for: type)) |\n"
            }
        }
        return out
    }
}

extension ChannelType {
    /// The keys a channel of this type takes (besides `type`), in table order.
    public var keys: [ChannelKey] { ChannelKey.allCases.filter { $0.isTaken(by: self) } }
}

/// One named channel of a profile.
public struct ChannelSettings: Sendable {
    /// The channel's name (its key under `channels`).
    public var name: Located<String>
    /// The kind of channel.
    public var type: ChannelType
    /// Slack, Teams and webhook: the endpoint, `${VAR}` only. PagerDuty: nil unless the
    /// endpoint is not Events API v2's own (then in `endpoint`).
    public var url: SecretReference?
    /// PagerDuty: the endpoint when not the default (a plain URL, it holds no secret).
    public var endpoint: Located<String>?
    /// PagerDuty: the integration's routing key, `${VAR}` only.
    public var routingKey: SecretReference?
    /// Email: the SMTP server as `smtp://user:password@host:port` or `smtps://...`, `${VAR}` only.
    public var smtp: SecretReference?
    /// Email: the sender address.
    public var from: Located<String>?
    /// Email: the recipients.
    public var to: [Located<String>] = []
    /// Email: a PEM file of extra certificate authorities to trust (a company relay's own CA).
    public var caFile: Located<String>?
    /// Where the channel is written.
    public var location: SourceLocation

    /// A channel of `type` named `name`, keys unset.
    public init(name: Located<String>, type: ChannelType, location: SourceLocation) {
        self.name = name
        self.type = type
        self.location = location
    }
}

/// What an event must be for a route to take it; an absent key matches everything.
public struct RouteMatch: Sendable {
    /// The event kinds taken.
    public var events: [NotificationEventKind]?
    /// The severities taken (an event without a severity matches only when this is absent).
    public var severity: [AlertSeverity]?
    /// The card keys taken.
    public var cards: [String]?
    /// The roles taken: a card any of whose roles is listed.
    public var roles: [String]?

    /// `cards` as written, each with where (validate checks them against the cards).
    public var writtenCards: [Located<String>] = []
    /// `roles` as written, each with where (validate checks them against the profile's roles).
    public var writtenRoles: [Located<String>] = []

    public init(events: [NotificationEventKind]? = nil, severity: [AlertSeverity]? = nil, cards: [String]? = nil, roles: [String]? = nil) {
        self.events = events
        self.severity = severity
        self.cards = cards
        self.roles = roles
    }

    /// Whether an event of `kind` at `severity` for `card` (seen by `roles`) matches.
    public func matches(kind: NotificationEventKind, severity: AlertSeverity?, card: String?, roles: [String]) -> Bool {
        if let events, !events.contains(kind) { return false }
        if let wanted = self.severity {
            guard let severity, wanted.contains(severity) else { return false }
        }
        if let cards {
            guard let card, cards.contains(card) else { return false }
        }
        if let wanted = self.roles, !roles.contains(where: wanted.contains) { return false }
        return true
    }
}

/// One route: events it matches go to its channels. Every route that matches sends.
public struct NotificationRoute: Sendable {
    /// What it takes (empty: everything).
    public var match: RouteMatch
    /// The channel names it sends to.
    public var to: [Located<String>]
    /// A reminder to these channels this often while an alert it sent stays firing and is not
    /// acknowledged.
    public var repeatEvery: ConfigDuration?
    /// Where the route is written.
    public var location: SourceLocation

    public init(match: RouteMatch, to: [Located<String>], repeatEvery: ConfigDuration? = nil, location: SourceLocation) {
        self.match = match
        self.to = to
        self.repeatEvery = repeatEvery
        self.location = location
    }
}

/// A weekly window in the profile's time zone in which notifications are held (sent when it
/// ends), except those of the listed severities.
public struct QuietHours: Sendable, Equatable {
    /// The days it applies to.
    public var days: [Weekday]
    /// Minutes after midnight it starts (0...1439).
    public var from: Int
    /// Minutes after midnight it ends (1...1440; `24:00` is 1440). Before `from`: the window runs past midnight
    /// into the next day.
    public var to: Int
    /// Severities sent even inside the window.
    public var except: [AlertSeverity]

    public init(days: [Weekday], from: Int, to: Int, except: [AlertSeverity] = []) {
        self.days = days
        self.from = from
        self.to = to
        self.except = except
    }
}

/// A profile's `notifications:` section as written (one profile of a chain).
public struct NotificationSettings: Sendable {
    /// The dashboard's public address, for links to card pages.
    public var publicURL: Located<String>?
    /// Worklist rows per card in a message (1...20).
    public var rows: Located<Int>?
    /// The channels, in file order.
    public var channels: [ChannelSettings]?
    /// The routes, in file order.
    public var routes: [NotificationRoute]?
    /// The quiet hours.
    public var quietHours: [QuietHours]?
    /// The names of channels written here that did not decode (validate reports them once, and
    /// not again at each route that sends to them).
    public var brokenChannelNames: Set<String> = []
    /// Where the section is written.
    public var location: SourceLocation

    public init(location: SourceLocation) { self.location = location }
}

/// A profile's notifications with its `extends` chain applied: keys by the nearest profile that
/// sets them, channels merged by name (a nearer profile's channel of a name replaces a farther
/// one's), routes and quiet hours as a whole from the nearest profile that sets them.
public struct ResolvedNotifications: Sendable {
    /// The dashboard's public address (no trailing slash), if set.
    public var publicURL: String?
    /// Worklist rows per card in a message (default 5).
    public var rows: Int = ResolvedNotifications.defaultRows
    /// The channels, by name order of first appearance.
    public var channels: [ChannelSettings] = []
    /// The routes.
    public var routes: [NotificationRoute] = []
    /// The quiet hours.
    public var quietHours: [QuietHours] = []

    /// `rows` when unset.
    public static let defaultRows = 5
    /// The most `rows` may be.
    public static let maxRows = 20

    public init() {}

    /// Whether there is anywhere to send.
    public var isEmpty: Bool { channels.isEmpty }

    /// The channel called `name`.
    public func channel(named name: String) -> ChannelSettings? { channels.first { $0.name.value == name } }

    /// The names of the channels an event goes to: every matching route's, each once, in the
    /// order of first mention; channels that do not exist are skipped (validate reports them).
    public func channels(for kind: NotificationEventKind, severity: AlertSeverity?, card: String?, roles: [String]) -> [String] {
        var out: [String] = []
        for route in routes where route.match.matches(kind: kind, severity: severity, card: card, roles: roles) {
            for name in route.to.map(\.value) where !out.contains(name) && channel(named: name) != nil { out.append(name) }
        }
        return out
    }

    /// Applies `settings` (a nearer profile's) over these.
    public mutating func apply(_ settings: NotificationSettings) {
        if let v = settings.publicURL {
            var text = v.value
            while text.hasSuffix("/") { text.removeLast() }
            publicURL = text
        }
        if let v = settings.rows { rows = v.value }
        if let list = settings.channels {
            for channel in list {
                if let i = channels.firstIndex(where: { $0.name.value == channel.name.value }) { channels[i] = channel } else { channels.append(channel) }
            }
        }
        if let v = settings.routes { routes = v }
        if let v = settings.quietHours { quietHours = v }
    }
}
