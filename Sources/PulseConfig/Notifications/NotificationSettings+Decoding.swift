import Foundation
import PulseDiagnostics
import PulseYAML

extension NotificationSettings {
    /// The keys of a profile's `notifications:`.
    public static let knownKeys = ["public_url", "rows", "channels", "routes", "quiet_hours"]
    /// The keys of one route.
    public static let routeKeys = ["match", "to", "repeat_every"]
    /// The keys of a route's `match`.
    public static let matchKeys = ["events", "severity", "cards", "roles"]
    /// The keys of one quiet-hours window.
    public static let quietHoursKeys = ["days", "from", "to", "except"]

    /// Decodes a profile's `notifications:` section (alerting.md section 4), reporting unknown
    /// keys (with a suggestion), channel types and their required keys, literal secrets, event,
    /// severity and day names, durations and times, each at the node that holds it. Nil when
    /// the node is not a mapping. Nothing in this section is quoted back: a line may hold a
    /// pasted webhook URL or key.
    static func decode(_ node: YAMLNode, reader: NodeReader) -> NotificationSettings? {
        let before = reader.diagnostics.count
        defer { reader.hideSource(from: before) }
        var settings = NotificationSettings(location: node.location)
        if node.isNull { return settings }
        guard let f = reader.fields(of: node, in: "notifications", known: knownKeys, required: []) else { return nil }
        settings.publicURL = f["public_url"].flatMap {
            reader.notificationURL($0.value, "notifications.public_url", example: "https://pulse.example.com")
        }
        if let p = f["rows"], let n = reader.int(p.value, "notifications.rows") {
            if (1...ResolvedNotifications.maxRows).contains(n) {
                settings.rows = Located(n, at: p.value.location)
            } else {
                reader.error(.invalidValue, "notifications.rows is how many worklist rows of a card a message shows, "
                             + "from 1 to \(ResolvedNotifications.maxRows), not \(n)", at: p.value.location)
            }
        }
        if let p = f["channels"] { settings.channels = decodeChannels(p.value, broken: &settings.brokenChannelNames, reader: reader) }
        settings.routes = f["routes"].flatMap { decodeRoutes($0.value, reader: reader) }
        settings.quietHours = f["quiet_hours"].flatMap { decodeQuietHours($0.value, reader: reader) }
        return settings
    }

    // MARK: - Channels

    /// Whether `name` is a channel name: `[a-z0-9_-]+`.
    public static func isChannelName(_ name: String) -> Bool {
        !name.isEmpty && name.utf8.allSatisfy { ($0 >= 97 && $0 <= 122) || ($0 >= 48 && $0 <= 57) || $0 == UInt8(ascii: "_") || $0 == UInt8(ascii: "-") }
    }

    private static func decodeChannels(_ node: YAMLNode, broken: inout Set<String>, reader: NodeReader) -> [ChannelSettings]? {
        if node.isNull { return [] }
        guard let pairs = node.mapping else {
            reader.error(.wrongType, "notifications.channels must be a mapping of channel names to channels, such as "
                         + "ops: {type: slack, url: \"${SLACK_OPS_URL}\"}, not \(node.kindDescription)", at: node.location)
            return nil
        }
        var channels: [ChannelSettings] = []
        for pair in pairs {
            if let channel = decodeChannel(pair, reader: reader) {
                channels.append(channel)
            } else if let name = pair.key.scalar?.value {
                broken.insert(name)
            }
        }
        return channels
    }

    private static func decodeChannel(_ pair: YAMLPair, reader: NodeReader) -> ChannelSettings? {
        guard let name = reader.nonEmptyString(pair.key, "a channel name") else { return nil }
        let nameIsValid = isChannelName(name.value)
        if !nameIsValid {
            let tried = String(name.value.lowercased().map { isChannelName(String($0)) ? $0 : "_" })
            reader.error(.invalidValue, "channel name '\(name.value)' may use only a-z, 0-9, _ and -"
                         + (isChannelName(tried) ? "; try '\(tried)'" : ""), at: name.location)
        }
        let context = "notifications.channels.\(name.value)"
        let node = pair.value
        guard let pairs = node.mapping else {
            reader.error(.wrongType, "\(context) must be a mapping such as {type: slack, url: \"${SLACK_OPS_URL}\"}, not \(node.kindDescription)",
                         at: node.location)
            return nil
        }
        let typeNames = ChannelType.allCases.map(\.rawValue)
        // The type decides which keys belong; a misspelt type is still checked as the type it is nearest to.
        let typePair = pairs.first { $0.key.scalar?.value == "type" }
        let type = typePair.flatMap { reader.choice($0.value, "\(context).type", as: ChannelType.self) }
        let checkedAs = type ?? typePair.flatMap { p in
            p.value.scalar.flatMap { Suggestion.nearest(to: $0.value, in: typeNames) }.flatMap(ChannelType.init(rawValue:))
        }
        let (fields, misspelt) = channelFields(pairs, context: context, type: checkedAs, reader: reader)
        if typePair == nil && !misspelt.contains("type") {
            reader.error(.missingKey, "\(context) is missing the required key 'type' (one of \(typeNames.joined(separator: ", ")))", at: node.location)
        }
        guard let checkedAs else {
            // Without a type, the keys that are secrets of every type that takes them are still checked.
            for key in [ChannelKey.routingKey, .smtp] {
                if let p = fields[key] {
                    _ = reader.channelSecret(p.value, "\(context).\(key.rawValue)", variable: "NAME", why: "it is a credential")
                }
            }
            return nil
        }
        for key in checkedAs.keys where key.isRequired(for: checkedAs) && fields[key] == nil && !misspelt.contains(key.rawValue) {
            reader.error(.missingKey, "\(context), \(checkedAs.aChannel), is missing the required key '\(key.rawValue)' (\(key.doc(for: checkedAs)))",
                         at: node.location)
        }
        var channel = ChannelSettings(name: name, type: checkedAs, location: node.location)
        let variable = { (key: ChannelKey) in Self.suggestedVariable(channel: name.value, type: checkedAs, key: key) }
        if let p = fields[.url] {
            if checkedAs == .pagerduty {
                channel.endpoint = reader.notificationURL(p.value, "\(context).url", example: "https://events.pagerduty.com/v2/enqueue")
            } else {
                channel.url = reader.channelSecret(p.value, "\(context).url", variable: variable(.url),
                                                   why: "anyone holding a webhook's URL can post to it")
            }
        }
        channel.routingKey = fields[.routingKey].flatMap {
            reader.channelSecret($0.value, "\(context).routing_key", variable: variable(.routingKey),
                                 why: "anyone holding a routing key can open incidents")
        }
        channel.smtp = fields[.smtp].flatMap {
            reader.channelSecret($0.value, "\(context).smtp", variable: variable(.smtp),
                                 why: "the URL holds the mail server's user and password")
        }
        channel.from = fields[.from].flatMap { reader.nonEmptyString($0.value, "\(context).from") }.flatMap { reader.emailAddress($0, "\(context).from") }
        if let p = fields[.to], let list = reader.stringOrList(p.value, "\(context).to", of: "an address") {
            if list.isEmpty { reader.error(.emptyValue, "\(context).to must list at least one address", at: p.value.location) }
            channel.to = list.compactMap { reader.emailAddress($0, "each address of \(context).to") }
        }
        channel.caFile = fields[.caFile].flatMap { reader.nonEmptyString($0.value, "\(context).ca_file") }
        return type != nil && nameIsValid ? channel : nil
    }

    /// A channel's entries by key, after reporting keys its type does not take (naming the type,
    /// and the type a key belongs to). With no usable type, every channel key is allowed. Also
    /// returns the keys that a misspelt key was taken for.
    private static func channelFields(_ pairs: [YAMLPair], context: String, type: ChannelType?,
                                      reader: NodeReader) -> (fields: [ChannelKey: YAMLPair], misspelt: Set<String>) {
        let taken = type?.keys ?? ChannelKey.allCases
        let known = ["type"] + taken.map(\.rawValue)
        var fields: [ChannelKey: YAMLPair] = [:]
        var misspelt = Set<String>()
        for pair in pairs {
            guard let key = pair.key.scalar?.value else {
                reader.error(.wrongType, "keys in \(context) must be plain names, not \(pair.key.kindDescription)", at: pair.key.location)
                continue
            }
            if key == "type" { continue }
            if let channelKey = ChannelKey(rawValue: key), taken.contains(channelKey) {
                fields[channelKey] = pair
                continue
            }
            let kind = type.map { " (\($0.aChannel))" } ?? ""
            if let type, let other = ChannelKey(rawValue: key) {
                let owners = ChannelType.allCases.filter { other.isTaken(by: $0) }.map(\.rawValue)
                reader.error(.unknownKey, "unknown key '\(key)' in \(context)\(kind): \(key) is a key of \(owners.joined(separator: " and ")) channels; "
                             + "\(type.aChannel) takes \(known.joined(separator: ", "))", at: pair.key.location)
                continue
            }
            let suggestion = Suggestion.nearest(to: key, in: known)
            if let suggestion { misspelt.insert(suggestion) }
            reader.error(.unknownKey, "unknown key '\(key)' in \(context)\(kind)"
                         + (suggestion.map { "; did you mean '\($0)'?" } ?? "; known keys: " + known.joined(separator: ", ")),
                         at: pair.key.location)
        }
        return (fields, misspelt)
    }

    /// The variable a literal secret's message suggests: `SLACK_OPS_URL`, `PD_ONCALL_ROUTING_KEY`.
    static func suggestedVariable(channel: String, type: ChannelType, key: ChannelKey) -> String {
        let name = String(channel.uppercased().map { $0 == "-" ? "_" : $0 })
        switch (type, key) {
        case (.pagerduty, .routingKey): return "PD_\(name)_ROUTING_KEY"
        case (_, .smtp): return "SMTP_\(name)_URL"
        case (.slack, _): return "SLACK_\(name)_URL"
        case (.teams, _): return "TEAMS_\(name)_URL"
        default: return "HOOK_\(name)_URL"
        }
    }

    // MARK: - Routes

    private static func decodeRoutes(_ node: YAMLNode, reader: NodeReader) -> [NotificationRoute]? {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            reader.error(.wrongType, "notifications.routes must be a list of routes, such as [{match: {severity: critical}, to: [oncall]}], not \(node.kindDescription)",
                         at: node.location)
            return nil
        }
        return items.enumerated().compactMap { decodeRoute($1, context: "notifications.routes[\($0)]", reader: reader) }
    }

    /// One route. A list item that is not valid is dropped from its list and a list left empty
    /// matches nothing, so a broken match never widens a route.
    private static func decodeRoute(_ node: YAMLNode, context: String, reader: NodeReader) -> NotificationRoute? {
        guard let f = reader.fields(of: node, in: context, known: routeKeys, required: ["to"]) else { return nil }
        var match = RouteMatch()
        if let p = f["match"], !p.value.isNull,
           let g = reader.fields(of: p.value, in: "\(context).match", known: matchKeys, required: []) {
            let what = "\(context).match"
            if let q = g["events"], let list = reader.stringList(q.value, "\(what).events") {
                reader.requireItems(list, q.value, "\(what).events", takes: "event")
                match.events = list.compactMap { item in
                    reader.named(item, in: NotificationEventKind.self, "\(what).events", kind: "an event")
                }
            }
            if let q = g["severity"], let list = reader.stringOrList(q.value, "\(what).severity", of: "a severity") {
                reader.requireItems(list, q.value, "\(what).severity", takes: "severity")
                match.severity = list.compactMap { reader.named($0, in: AlertSeverity.self, "\(what).severity", kind: "a severity") }
            }
            if let q = g["cards"], let list = reader.stringList(q.value, "\(what).cards") {
                reader.requireItems(list, q.value, "\(what).cards", takes: "card")
                match.cards = list.map(\.value)
                match.writtenCards = list
            }
            if let q = g["roles"], let list = reader.stringList(q.value, "\(what).roles") {
                reader.requireItems(list, q.value, "\(what).roles", takes: "role")
                match.roles = list.map(\.value)
                match.writtenRoles = list
            }
        }
        guard let p = f["to"], let to = reader.stringOrList(p.value, "\(context).to", of: "a channel name") else { return nil }
        if to.isEmpty { reader.error(.emptyValue, "\(context).to must name at least one channel", at: p.value.location) }
        var route = NotificationRoute(match: match, to: to, location: node.location)
        if let q = f["repeat_every"], let d = reader.duration(q.value, "\(context).repeat_every") {
            if d.value.seconds > 0 {
                route.repeatEvery = d.value
            } else {
                reader.error(.badDuration, "\(context).repeat_every must be longer than 0s (it is how often a reminder is sent while an alert stays firing); "
                             + "remove the key for no reminders", at: q.value.location)
            }
        }
        return route
    }

    // MARK: - Quiet hours

    private static func decodeQuietHours(_ node: YAMLNode, reader: NodeReader) -> [QuietHours]? {
        if node.isNull { return [] }
        guard let items = node.sequence else {
            reader.error(.wrongType, "notifications.quiet_hours must be a list of windows, such as "
                         + "[{days: [sat, sun], from: \"00:00\", to: \"24:00\", except: [critical]}], not \(node.kindDescription)", at: node.location)
            return nil
        }
        return items.enumerated().compactMap { decodeQuietWindow($1, context: "notifications.quiet_hours[\($0)]", reader: reader) }
    }

    /// One window; `days` defaults to every day. A window with any error is dropped (notifications
    /// are then sent, not held).
    private static func decodeQuietWindow(_ node: YAMLNode, context: String, reader: NodeReader) -> QuietHours? {
        let errorsBefore = reader.errorCount
        guard let f = reader.fields(of: node, in: context, known: quietHoursKeys, required: ["from", "to"]) else { return nil }
        var days = Weekday.allCases
        if let p = f["days"], let list = reader.stringList(p.value, "\(context).days") {
            reader.requireItems(list, p.value, "\(context).days", takes: "day")
            days = []
            for item in list {
                if let day = reader.named(item, in: Weekday.self, "\(context).days", kind: "a day"),
                   !days.contains(day) { days.append(day) }
            }
        }
        let from = f["from"].flatMap { reader.timeOfDay($0.value, "\(context).from", allowing24: false) }
        let to = f["to"].flatMap { reader.timeOfDay($0.value, "\(context).to", allowing24: true) }
        if let from, let to, from.value == to.value {
            reader.error(.invalidValue, "\(context) starts and ends at \(Self.clock(from.value)), so it holds nothing; "
                         + "for a whole day write from: \"00:00\", to: \"24:00\"", at: to.location)
        }
        var except: [AlertSeverity] = []
        if let p = f["except"], let list = reader.stringOrList(p.value, "\(context).except", of: "a severity") {
            for item in list {
                if let severity = reader.named(item, in: AlertSeverity.self, "\(context).except", kind: "a severity"),
                   !except.contains(severity) { except.append(severity) }
            }
        }
        guard reader.errorCount == errorsBefore, let from, var end = to?.value else { return nil }
        // An overnight window that ends at midnight ends at 24:00 of its first day.
        if end == 0 { end = 24 * 60 }
        return QuietHours(days: days, from: from.value, to: end, except: except)
    }

    /// `HH:MM` of minutes after midnight.
    static func clock(_ minutes: Int) -> String {
        let h = minutes / 60, m = minutes % 60
        return (h < 10 ? "0" : "") + "\(h):" + (m < 10 ? "0" : "") + "\(m)"
    }

    /// Minutes after midnight of `HH:MM` (24-hour, two digits each); `24:00` (1440) only when
    /// `allowing24`. Nil for anything else.
    public static func minutes(ofTime text: String, allowing24: Bool) -> Int? {
        let b = Array(text.utf8)
        guard b.count == 5, b[2] == UInt8(ascii: ":"), [b[0], b[1], b[3], b[4]].allSatisfy({ $0 >= 48 && $0 <= 57 }) else { return nil }
        let h = Int(b[0] - 48) * 10 + Int(b[1] - 48), m = Int(b[3] - 48) * 10 + Int(b[4] - 48)
        if allowing24 && h == 24 && m == 0 { return 24 * 60 }
        guard h < 24, m < 60 else { return nil }
        return h * 60 + m
    }
}

extension ChannelType {
    /// `a slack channel`, `an email channel`.
    var aChannel: String { (self == .email ? "an " : "a ") + rawValue + " channel" }
}

extension NodeReader {
    /// How many errors have been reported so far.
    var errorCount: Int { diagnostics.lazy.filter { $0.severity == .error }.count }

    /// An absolute http or https URL with a host; a path is allowed, a query, fragment or user
    /// info is not. A URL with user info is not repeated in the message.
    func notificationURL(_ node: YAMLNode, _ what: String, example: String) -> Located<String>? {
        guard let text = nonEmptyString(node, what) else { return nil }
        let url = URL(string: text.value)
        if let url, url.user != nil || url.password != nil {
            error(.invalidValue, "\(what) must not hold a user name or password; write an address such as \(example)", at: text.location)
            return nil
        }
        guard let url, let scheme = url.scheme?.lowercased(), scheme == "http" || scheme == "https",
              let host = url.host, !host.isEmpty, url.query == nil, url.fragment == nil else {
            error(.invalidValue, "\(what) must be an http or https URL such as \(example) (a path is allowed; a query or fragment is not), not '\(text.value)'",
                  at: text.location)
            return nil
        }
        return text
    }

    /// A channel's secret: only a `${NAME}` reference. A literal is `secret-literal`, and the
    /// message never repeats it (it may be a real credential).
    func channelSecret(_ node: YAMLNode, _ what: String, variable: String, why: String) -> SecretReference? {
        guard let text = nonEmptyString(node, what) else { return nil }
        if let name = SecretReference.variableName(in: text.value) { return SecretReference(variable: name, at: text.location) }
        error(.secretLiteral, "\(what) is a secret and must be an environment variable reference such as ${\(variable)}, not a literal value "
              + "(\(why); profiles are meant to be committed, so set the variable where pulse serve or pulse eval --notify runs)", at: text.location)
        return nil
    }

    /// An email address: one `@` with text either side, no spaces, quotes or angle brackets.
    func emailAddress(_ text: Located<String>, _ what: String) -> Located<String>? {
        let parts = text.value.split(separator: "@", omittingEmptySubsequences: false)
        let bad: Set<Character> = ["<", ">", "\"", ",", ";", "(", ")", "[", "]", "\\"]
        guard parts.count == 2, parts.allSatisfy({ !$0.isEmpty }), !text.value.contains(where: { $0.isWhitespace || bad.contains($0) }) else {
            error(.invalidValue, "\(what) must be an email address such as pulse@example.com, not '\(text.value)'", at: text.location)
            return nil
        }
        return text
    }

    /// A list of strings, or one string standing for a list of one.
    func stringOrList(_ node: YAMLNode, _ what: String, of item: String) -> [Located<String>]? {
        if let scalar = node.scalar, !scalar.isNull { return [Located(scalar.value, at: node.location)] }
        guard let items = node.sequence else {
            error(.wrongType, "\(what) must be \(item) or a list of them, not \(node.kindDescription)", at: node.location)
            return nil
        }
        return items.compactMap { string($0, "each item of \(what)") }
    }

    /// Reports a list written empty (it would match nothing).
    func requireItems(_ list: [Located<String>], _ node: YAMLNode, _ what: String, takes item: String) {
        if list.isEmpty, node.sequence != nil {
            error(.emptyValue, "\(what) is empty, so the route takes no \(item); list at least one, or remove the key to take every \(item)", at: node.location)
        }
    }

    /// One of an enum's raw values, else an error at the item with the nearest name.
    func named<T: RawRepresentable & CaseIterable>(_ item: Located<String>, in type: T.Type, _ what: String, kind: String) -> T?
        where T.RawValue == String {
        if let value = T(rawValue: item.value) { return value }
        let names = T.allCases.map(\.rawValue)
        // A verb for its event (`fire` for `firing`) is too far for the edit distance alone.
        let stem = item.value.lowercased().dropLast()
        let nearest = Suggestion.nearest(to: item.value, in: names) ?? (stem.count >= 3 ? names.first { $0.hasPrefix(stem) } : nil)
        error(.invalidValue, "\(what): '\(item.value)' is not \(kind); expected one of \(names.joined(separator: ", "))"
              + (nearest.map { "; did you mean '\($0)'?" } ?? ""), at: item.location)
        return nil
    }

    /// A time of day `HH:MM` as minutes after midnight.
    func timeOfDay(_ node: YAMLNode, _ what: String, allowing24: Bool) -> Located<Int>? {
        guard let text = string(node, what) else { return nil }
        if let minutes = NotificationSettings.minutes(ofTime: text.value, allowing24: allowing24) { return Located(minutes, at: text.location) }
        let padded = "0" + text.value
        let hint = text.value.count == 4 && NotificationSettings.minutes(ofTime: padded, allowing24: allowing24) != nil ? "; write \"\(padded)\"" : ""
        error(.invalidValue, "\(what) must be a time of day from 00:00 to \(allowing24 ? "24:00" : "23:59") (HH:MM, 24-hour), not '\(text.value)'" + hint,
              at: text.location)
        return nil
    }
}
