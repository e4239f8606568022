import PulseDiagnostics
import Testing
@testable import PulseConfig

/// One broken notifications section and the exact findings it must give.
struct NotificationCase: Sendable, CustomTestStringConvertible {
    let name: String
    let text: String
    let expected: [String]
    var testDescription: String { name }
}

/// A profile's `notifications:` (alerting.md sections 4 and 7): the schema, `extends`, the
/// cross-checks of validate, and which channels an event goes to.
@Suite("profile notifications")
struct NotificationsConfigTests {
    /// alerting.md section 4's example.
    static let example = """
        profile: acme
        notifications:
          public_url: https://pulse.example.com/
          rows: 5
          channels:
            ops:    {type: slack,     url: "${SLACK_OPS_URL}"}
            owners: {type: teams,     url: "${TEAMS_FLOW_URL}"}
            oncall: {type: pagerduty, routing_key: "${PD_ROUTING_KEY}"}
            mail:   {type: email,     smtp: "${SMTP_URL}", from: pulse@example.com, to: [owner@example.com]}
            hook:   {type: webhook,   url: "${HOOK_URL}"}
          routes:
            - to: [ops]
            - match: {severity: critical}
              to: [oncall]
            - match: {cards: [aex_ship_to_country_coverage], events: [firing, resolved]}
              to: [mail]
              repeat_every: 24h
          quiet_hours:
            - {days: [sat, sun], from: "00:00", to: "24:00", except: [critical]}

        """

    /// A clean section the broken cases are made from: every channel has a route.
    static let small = """
        profile: acme
        notifications:
          channels:
            ops: {type: slack, url: "${SLACK_OPS_URL}"}
            oncall: {type: pagerduty, routing_key: "${PD_ROUTING_KEY}"}
          routes:
            - to: [ops]
            - match: {severity: critical, events: [firing, escalated]}
              to: oncall

        """

    static let path = "profiles/acme.yaml"

    static func lint(_ files: [(String, String)]) -> [String] { LintFixtures.lint(files).map(\.description) }

    static func resolve(_ files: [(String, String)], _ name: String) throws -> ResolvedProfile {
        var set = ConfigSet()
        for (path, text) in files { set.add(file: path, bytes: Array(text.utf8)) }
        return try ProfileResolver(profiles: set.profiles).resolve(try #require(set.profile(name))).get()
    }

    // MARK: - Valid sections

    @Test func theSpecExampleDecodes() throws {
        // The example names two channels no route reaches: validate says so (warnings).
        #expect(Self.lint([(Self.path, Self.example)]) == [
            "profiles/acme.yaml:7:5: warning: channel 'owners' of profile 'acme' is reached by no route, so nothing is sent to it; add a route with to: [owners], or remove the channel [unused-channel]",
            "profiles/acme.yaml:10:5: warning: channel 'hook' of profile 'acme' is reached by no route, so nothing is sent to it; add a route with to: [hook], or remove the channel [unused-channel]",
        ])
        let n = try Self.resolve([(Self.path, Self.example)], "acme").notifications
        #expect(n.publicURL == "https://pulse.example.com", "the trailing slash is dropped")
        #expect(n.rows == 5)
        #expect(n.channels.map(\.name.value) == ["ops", "owners", "oncall", "mail", "hook"])
        #expect(n.channels.map(\.type) == [.slack, .teams, .pagerduty, .email, .webhook])
        #expect(n.channels.map { $0.url?.variable } == ["SLACK_OPS_URL", "TEAMS_FLOW_URL", nil, nil, "HOOK_URL"])
        let oncall = try #require(n.channel(named: "oncall"))
        #expect(oncall.routingKey?.variable == "PD_ROUTING_KEY")
        #expect(oncall.endpoint == nil, "Events API v2's own endpoint")
        let mail = try #require(n.channel(named: "mail"))
        #expect(mail.smtp?.variable == "SMTP_URL")
        #expect(mail.from?.value == "pulse@example.com")
        #expect(mail.to.map(\.value) == ["owner@example.com"])
        #expect(mail.caFile == nil)
        #expect(mail.location == SourceLocation(file: Self.path, line: 9, column: 13))

        #expect(n.routes.map { $0.to.map(\.value) } == [["ops"], ["oncall"], ["mail"]])
        #expect(n.routes[0].match.events == nil && n.routes[0].match.severity == nil && n.routes[0].match.cards == nil && n.routes[0].match.roles == nil)
        #expect(n.routes[1].match.severity == [.critical])
        #expect(n.routes[2].match.cards == ["aex_ship_to_country_coverage"])
        #expect(n.routes[2].match.events == [.firing, .resolved])
        #expect(n.routes.map { $0.repeatEvery?.seconds } == [nil, nil, 86_400])
        #expect(n.routes[2].location == SourceLocation(file: Self.path, line: 15, column: 7))
        #expect(n.quietHours == [QuietHours(days: [.sat, .sun], from: 0, to: 1440, except: [.critical])])

        // Every matching route sends: the catch-all, critical, and the coverage card's route.
        let coverage = "aex_ship_to_country_coverage"
        #expect(n.channels(for: .firing, severity: .critical, card: coverage, roles: []) == ["ops", "oncall", "mail"])
        #expect(n.channels(for: .firing, severity: .warn, card: coverage, roles: []) == ["ops", "mail"])
        #expect(n.channels(for: .escalated, severity: .critical, card: coverage, roles: []) == ["ops", "oncall"], "events: [firing, resolved] only")
        #expect(n.channels(for: .firing, severity: .warn, card: "other", roles: []) == ["ops"])
        #expect(n.channels(for: .pullFailed, severity: nil, card: nil, roles: []) == ["ops"], "an event without a severity skips a severity match")
    }

    @Test func aProfileWithoutNotificationsHasNone() throws {
        let n = try Self.resolve([(Self.path, "profile: acme\n")], "acme").notifications
        #expect(n.isEmpty && n.routes.isEmpty && n.quietHours.isEmpty)
        #expect(n.rows == ResolvedNotifications.defaultRows && n.publicURL == nil)
        #expect(n.channels(for: .firing, severity: .critical, card: "x", roles: []).isEmpty)
    }

    @Test func everyKeyOfEmailAndPagerDutyDecodes() throws {
        let text = """
            profile: acme
            notifications:
              channels:
                mail: {type: email, smtp: "${SMTP_URL}", from: pulse@example.com, to: owner@example.com, ca_file: certs/relay.pem}
                page: {type: pagerduty, routing_key: "${PD_KEY}", url: "https://events.eu.pagerduty.com/v2/enqueue"}
              routes:
                - match: {roles: [finance], severity: warn}
                  to: [mail, page]

            """
        #expect(Self.lint([(Self.path, text)]).isEmpty)
        let n = try Self.resolve([(Self.path, text)], "acme").notifications
        #expect(n.channel(named: "mail")?.to.map(\.value) == ["owner@example.com"], "one address stands for a list of one")
        #expect(n.channel(named: "mail")?.caFile?.value == "certs/relay.pem")
        #expect(n.channel(named: "page")?.endpoint?.value == "https://events.eu.pagerduty.com/v2/enqueue")
        #expect(n.channel(named: "page")?.url == nil)
        #expect(n.routes[0].match.roles == ["finance"] && n.routes[0].match.severity == [.warn])
        #expect(n.routes[0].match.writtenRoles.map(\.location) == [SourceLocation(file: Self.path, line: 7, column: 23)])
    }

    // MARK: - extends

    static let base = """
        profile: base
        notifications:
          public_url: https://pulse.example.com/pulse/
          rows: 3
          channels:
            ops: {type: slack, url: "${BASE_OPS_URL}"}
            mail: {type: email, smtp: "${SMTP_URL}", from: pulse@example.com, to: owner@example.com}
          routes:
            - to: [ops, mail]
          quiet_hours:
            - {from: "22:00", to: "07:00"}

        """

    static let child = """
        profile: acme
        extends: base
        notifications:
          rows: 10
          channels:
            ops: {type: teams, url: "${ACME_TEAMS_URL}"}
            page: {type: pagerduty, routing_key: "${ACME_PD_KEY}"}
          routes:
            - match: {severity: [warn, critical]}
              to: [ops, page]

        """

    @Test func extendsReplacesChannelsByNameAndRoutesWhole() throws {
        let files = [("profiles/base.yaml", Self.base), (Self.path, Self.child)]
        #expect(Self.lint(files).isEmpty)
        let n = try Self.resolve(files, "acme").notifications
        #expect(n.publicURL == "https://pulse.example.com/pulse", "inherited; a path is allowed")
        #expect(n.rows == 10)
        #expect(n.channels.map(\.name.value) == ["ops", "mail", "page"], "by name, in order of first appearance")
        #expect(n.channel(named: "ops")?.type == .teams, "the child's ops replaces the parent's")
        #expect(n.channel(named: "ops")?.url?.variable == "ACME_TEAMS_URL")
        #expect(n.channel(named: "mail")?.smtp?.variable == "SMTP_URL", "a channel the child does not name is inherited")
        #expect(n.routes.count == 1, "routes are replaced whole")
        #expect(n.channels(for: .firing, severity: .warn, card: "x", roles: []) == ["ops", "page"])
        #expect(n.channels(for: .pullFailed, severity: nil, card: nil, roles: []).isEmpty)
        #expect(n.quietHours == [QuietHours(days: Weekday.allCases, from: 22 * 60, to: 7 * 60)], "inherited; days default to every day")

        let parent = try Self.resolve(files, "base").notifications
        #expect(parent.rows == 3 && parent.channel(named: "ops")?.type == .slack)
        #expect(parent.channels(for: .pullFailed, severity: nil, card: nil, roles: []) == ["ops", "mail"])
    }

    @Test func aParentMayLeaveItsRoutesChannelsToItsChildren() {
        let base = "profile: base\nnotifications:\n  routes:\n    - to: [ops]\n"
        let acme = "profile: acme\nextends: base\nnotifications:\n  channels:\n    ops: {type: slack, url: \"${ACME_OPS_URL}\"}\n"
        let shop = "profile: shop\nextends: base\n"
        #expect(Self.lint([("profiles/base.yaml", base), ("profiles/acme.yaml", acme)]).isEmpty)
        // A profile nobody extends that lacks the channel is told, at the route it inherits.
        #expect(Self.lint([("profiles/base.yaml", base), ("profiles/acme.yaml", acme), ("profiles/shop.yaml", shop)]) == [
            "profiles/base.yaml:4:12: error: route sends to 'ops', which is not a channel of profile 'shop'; it has no channels [unknown-channel]",
        ])
        // A name no profile has is a typo: once, for the profile that writes it.
        #expect(Self.lint([("profiles/base.yaml", base.replacing1("[ops]", "[opps]")), ("profiles/acme.yaml", acme)]) == [
            "profiles/acme.yaml:5:5: warning: channel 'ops' of profile 'acme' is reached by no route, so nothing is sent to it; add a route with to: [ops], or remove the channel [unused-channel]",
            "profiles/base.yaml:4:12: error: route sends to 'opps', which is not a channel of profile 'base'; did you mean 'ops'? [unknown-channel]",
        ])
    }

    // MARK: - Routing

    @Test func everyMatchingRouteSendsEachChannelOnce() {
        let here = SourceLocation(file: "t", line: 1, column: 1)
        func names(_ list: [String]) -> [Located<String>] { list.map { Located($0, at: here) } }
        var n = ResolvedNotifications()
        n.channels = ["a", "b", "c"].map { ChannelSettings(name: Located($0, at: here), type: .webhook, location: here) }
        n.routes = [
            NotificationRoute(match: RouteMatch(), to: names(["b", "a"]), location: here),
            NotificationRoute(match: RouteMatch(severity: [.critical]), to: names(["a", "c", "gone"]), location: here),
            NotificationRoute(match: RouteMatch(roles: ["finance"]), to: names(["c"]), location: here),
            NotificationRoute(match: RouteMatch(events: [.resolved], cards: ["k"]), to: names(["c"]), location: here),
        ]
        #expect(n.channels(for: .firing, severity: .critical, card: "k", roles: []) == ["b", "a", "c"], "each once, in order of first mention; a missing channel skipped")
        #expect(n.channels(for: .firing, severity: .warn, card: "k", roles: []) == ["b", "a"])
        #expect(n.channels(for: .firing, severity: .warn, card: "k", roles: ["owner", "finance"]) == ["b", "a", "c"], "any of the card's roles")
        #expect(n.channels(for: .resolved, severity: .warn, card: "k", roles: []) == ["b", "a", "c"])
        #expect(n.channels(for: .resolved, severity: .warn, card: "other", roles: []) == ["b", "a"])
        #expect(n.channels(for: .stale, severity: nil, card: "k", roles: []) == ["b", "a"], "no severity: a severity match does not take it")
        #expect(n.channels(for: .pullFailed, severity: nil, card: nil, roles: []) == ["b", "a"], "no card: a cards match does not take it")
        n.routes = []
        #expect(n.channels(for: .firing, severity: .critical, card: "k", roles: []).isEmpty, "no routes: nothing is sent")
    }

    // MARK: - Broken sections

    static let quiet = small + """
          quiet_hours:
            - {days: [sat, sun], from: "00:00", to: "24:00", except: [critical]}

        """

    static let withRows = small.replacing1("notifications:\n", "notifications:\n  rows: 5\n  public_url: https://pulse.example.com\n")

    static let email = small.replacing1("  routes:", "    mail: {type: email, smtp: \"${SMTP_URL}\"}\n  routes:").replacing1("[ops]", "[ops, mail]")

    static let cases: [NotificationCase] = [
        NotificationCase(name: "channel type with a suggestion", text: small.replacing1("type: slack", "type: slak"), expected: [
            "profiles/acme.yaml:4:17: error: notifications.channels.ops.type must be one of slack, teams, pagerduty, email, webhook, not 'slak'; did you mean 'slack'? [invalid-value]",
        ]),
        NotificationCase(name: "channel type missing", text: small.replacing1("type: slack, ", ""), expected: [
            "profiles/acme.yaml:4:10: error: notifications.channels.ops is missing the required key 'type' (one of slack, teams, pagerduty, email, webhook) [missing-key]",
        ]),
        NotificationCase(name: "a literal secret in a channel without a type", text: small.replacing1("type: pagerduty, routing_key: \"${PD_ROUTING_KEY}\"", "routing_key: R0xyzSECRET"), expected: [
            "profiles/acme.yaml:5:13: error: notifications.channels.oncall is missing the required key 'type' (one of slack, teams, pagerduty, email, webhook) [missing-key]",
            "profiles/acme.yaml:5:27: error: notifications.channels.oncall.routing_key is a secret and must be an environment variable reference such as ${NAME}, not a literal value (it is a credential; profiles are meant to be committed, so set the variable where pulse serve or pulse eval --notify runs) [secret-literal]",
        ]),
        NotificationCase(name: "channel type key misspelt", text: small.replacing1("type: slack", "tpye: slack"), expected: [
            "profiles/acme.yaml:4:11: error: unknown key 'tpye' in notifications.channels.ops; did you mean 'type'? [unknown-key]",
        ]),
        NotificationCase(name: "slack without url", text: small.replacing1(", url: \"${SLACK_OPS_URL}\"", ""), expected: [
            "profiles/acme.yaml:4:10: error: notifications.channels.ops, a slack channel, is missing the required key 'url' (the incoming webhook's URL, as `${NAME}`) [missing-key]",
        ]),
        NotificationCase(name: "teams without url", text: small.replacing1("type: slack, url: \"${SLACK_OPS_URL}\"", "type: teams"), expected: [
            "profiles/acme.yaml:4:10: error: notifications.channels.ops, a teams channel, is missing the required key 'url' (the Workflows webhook's URL, as `${NAME}`) [missing-key]",
        ]),
        NotificationCase(name: "webhook with a misspelt url", text: small.replacing1("type: slack, url:", "type: webhook, ulr:"), expected: [
            "profiles/acme.yaml:4:26: error: unknown key 'ulr' in notifications.channels.ops (a webhook channel); did you mean 'url'? [unknown-key]",
        ]),
        NotificationCase(name: "pagerduty without routing_key", text: small.replacing1("routing_key: \"${PD_ROUTING_KEY}\"", "url: \"https://events.pagerduty.com/v2/enqueue\""), expected: [
            "profiles/acme.yaml:5:13: error: notifications.channels.oncall, a pagerduty channel, is missing the required key 'routing_key' (the integration's routing key, as `${NAME}`) [missing-key]",
        ]),
        NotificationCase(name: "email without from and to", text: email, expected: [
            "profiles/acme.yaml:6:11: error: notifications.channels.mail, an email channel, is missing the required key 'from' (the sender address, such as `pulse@example.com`) [missing-key]",
            "profiles/acme.yaml:6:11: error: notifications.channels.mail, an email channel, is missing the required key 'to' (the recipients: an address or a list of them) [missing-key]",
        ]),
        NotificationCase(name: "email addresses", text: email.replacing1("\"${SMTP_URL}\"", "\"${SMTP_URL}\", from: pulse.example.com, to: [a@b.example, \"Owner <o@example.com>\"]"), expected: [
            "profiles/acme.yaml:6:52: error: notifications.channels.mail.from must be an email address such as pulse@example.com, not 'pulse.example.com' [invalid-value]",
            "profiles/acme.yaml:6:89: error: each address of notifications.channels.mail.to must be an email address such as pulse@example.com, not 'Owner <o@example.com>' [invalid-value]",
        ]),
        NotificationCase(name: "email to an empty list", text: email.replacing1("\"${SMTP_URL}\"", "\"${SMTP_URL}\", from: p@example.com, to: []"), expected: [
            "profiles/acme.yaml:6:71: error: notifications.channels.mail.to must list at least one address [empty-value]",
        ]),
        NotificationCase(name: "a key of another channel type", text: small.replacing1("url: \"${SLACK_OPS_URL}\"", "url: \"${SLACK_OPS_URL}\", smtp: \"${SMTP_URL}\""), expected: [
            "profiles/acme.yaml:4:49: error: unknown key 'smtp' in notifications.channels.ops (a slack channel): smtp is a key of email channels; a slack channel takes type, url [unknown-key]",
        ]),
        NotificationCase(name: "pagerduty url not a URL", text: small.replacing1("\"${PD_ROUTING_KEY}\"", "\"${PD_ROUTING_KEY}\", url: \"${PD_URL}\""), expected: [
            "profiles/acme.yaml:5:70: error: notifications.channels.oncall.url must be an http or https URL such as https://events.pagerduty.com/v2/enqueue (a path is allowed; a query or fragment is not), not '${PD_URL}' [invalid-value]",
        ]),
        NotificationCase(name: "channel name", text: small.replacing1("    oncall:", "    On-Call:").replacing1("to: oncall", "to: On-Call"), expected: [
            "profiles/acme.yaml:5:5: error: channel name 'On-Call' may use only a-z, 0-9, _ and -; try 'on-call' [invalid-value]",
        ]),
        NotificationCase(name: "route to an unknown channel with a suggestion", text: small.replacing1("[ops]", "[opps]"), expected: [
            "profiles/acme.yaml:4:5: warning: channel 'ops' of profile 'acme' is reached by no route, so nothing is sent to it; add a route with to: [ops], or remove the channel [unused-channel]",
            "profiles/acme.yaml:7:12: error: route sends to 'opps', which is not a channel of profile 'acme'; did you mean 'ops'? [unknown-channel]",
        ]),
        NotificationCase(name: "route to an unknown channel without one", text: small.replacing1("[ops]", "[ops, pager]"), expected: [
            "profiles/acme.yaml:7:17: error: route sends to 'pager', which is not a channel of profile 'acme'; its channels are ops, oncall [unknown-channel]",
        ]),
        NotificationCase(name: "route without to", text: small.replacing1("\n      to: oncall", "").replacing1("[ops]", "[ops, oncall]"), expected: [
            "profiles/acme.yaml:8:7: error: notifications.routes[1] is missing the required key 'to' [missing-key]",
        ]),
        NotificationCase(name: "route to nothing", text: small.replacing1("[ops]", "[]").replacing1("to: oncall", "to: [oncall, ops]"), expected: [
            "profiles/acme.yaml:7:11: error: notifications.routes[0].to must name at least one channel [empty-value]",
        ]),
        NotificationCase(name: "repeat_every 0s", text: small + "      repeat_every: 0s\n", expected: [
            "profiles/acme.yaml:10:21: error: notifications.routes[1].repeat_every must be longer than 0s (it is how often a reminder is sent while an alert stays firing); remove the key for no reminders [bad-duration]",
        ]),
        NotificationCase(name: "repeat_every not a duration", text: small + "      repeat_every: daily\n", expected: [
            "profiles/acme.yaml:10:21: error: notifications.routes[1].repeat_every must be a duration such as 90m, 24h, 7d or 1d12h, at most 36500d (100 years), not 'daily' [bad-duration]",
        ]),
        NotificationCase(name: "event name with a suggestion", text: small.replacing1("[firing, escalated]", "[fire, escalated]"), expected: [
            "profiles/acme.yaml:8:44: error: notifications.routes[1].match.events: 'fire' is not an event; expected one of firing, escalated, deescalated, resolved, no_data, stale, pull_failed, reminder; did you mean 'firing'? [invalid-value]",
        ]),
        NotificationCase(name: "events as one string", text: small.replacing1("[firing, escalated]", "firing"), expected: [
            "profiles/acme.yaml:8:43: error: notifications.routes[1].match.events must be a list; write [firing] [wrong-type]",
        ]),
        NotificationCase(name: "severity with a suggestion", text: small.replacing1("severity: critical", "severity: crit"), expected: [
            "profiles/acme.yaml:8:25: error: notifications.routes[1].match.severity: 'crit' is not a severity; expected one of warn, critical; did you mean 'critical'? [invalid-value]",
        ]),
        NotificationCase(name: "severity in a list", text: small.replacing1("severity: critical", "severity: [warn, page]"), expected: [
            "profiles/acme.yaml:8:32: error: notifications.routes[1].match.severity: 'page' is not a severity; expected one of warn, critical [invalid-value]",
        ]),
        NotificationCase(name: "match key misspelt", text: small.replacing1("events:", "event:"), expected: [
            "profiles/acme.yaml:8:35: error: unknown key 'event' in notifications.routes[1].match; did you mean 'events'? [unknown-key]",
        ]),
        NotificationCase(name: "an empty match list", text: small.replacing1("[firing, escalated]", "[]"), expected: [
            "profiles/acme.yaml:8:43: error: notifications.routes[1].match.events is empty, so the route takes no event; list at least one, or remove the key to take every event [empty-value]",
        ]),
        NotificationCase(name: "quiet hours day with a suggestion", text: quiet.replacing1("[sat, sun]", "[sat, sunday]"), expected: [
            "profiles/acme.yaml:11:20: error: notifications.quiet_hours[0].days: 'sunday' is not a day; expected one of mon, tue, wed, thu, fri, sat, sun; did you mean 'sun'? [invalid-value]",
        ]),
        NotificationCase(name: "quiet hours from 25:00", text: quiet.replacing1("\"00:00\"", "\"25:00\""), expected: [
            "profiles/acme.yaml:11:32: error: notifications.quiet_hours[0].from must be a time of day from 00:00 to 23:59 (HH:MM, 24-hour), not '25:00' [invalid-value]",
        ]),
        NotificationCase(name: "quiet hours to 25:00", text: quiet.replacing1("\"24:00\"", "\"25:00\""), expected: [
            "profiles/acme.yaml:11:45: error: notifications.quiet_hours[0].to must be a time of day from 00:00 to 24:00 (HH:MM, 24-hour), not '25:00' [invalid-value]",
        ]),
        NotificationCase(name: "quiet hours from 24:00", text: quiet.replacing1("\"00:00\"", "\"24:00\""), expected: [
            "profiles/acme.yaml:11:32: error: notifications.quiet_hours[0].from must be a time of day from 00:00 to 23:59 (HH:MM, 24-hour), not '24:00' [invalid-value]",
        ]),
        NotificationCase(name: "quiet hours 9:00", text: quiet.replacing1("\"00:00\"", "\"9:00\""), expected: [
            "profiles/acme.yaml:11:32: error: notifications.quiet_hours[0].from must be a time of day from 00:00 to 23:59 (HH:MM, 24-hour), not '9:00'; write \"09:00\" [invalid-value]",
        ]),
        NotificationCase(name: "quiet hours from == to", text: quiet.replacing1("\"00:00\"", "\"08:00\"").replacing1("\"24:00\"", "\"08:00\""), expected: [
            "profiles/acme.yaml:11:45: error: notifications.quiet_hours[0] starts and ends at 08:00, so it holds nothing; for a whole day write from: \"00:00\", to: \"24:00\" [invalid-value]",
        ]),
        NotificationCase(name: "quiet hours without to", text: quiet.replacing1(", to: \"24:00\"", ""), expected: [
            "profiles/acme.yaml:11:7: error: notifications.quiet_hours[0] is missing the required key 'to' [missing-key]",
        ]),
        NotificationCase(name: "quiet hours except", text: quiet.replacing1("[critical]", "[critcal]"), expected: [
            "profiles/acme.yaml:11:63: error: notifications.quiet_hours[0].except: 'critcal' is not a severity; expected one of warn, critical; did you mean 'critical'? [invalid-value]",
        ]),
        NotificationCase(name: "rows 0", text: withRows.replacing1("rows: 5", "rows: 0"), expected: [
            "profiles/acme.yaml:3:9: error: notifications.rows is how many worklist rows of a card a message shows, from 1 to 20, not 0 [invalid-value]",
        ]),
        NotificationCase(name: "rows 21", text: withRows.replacing1("rows: 5", "rows: 21"), expected: [
            "profiles/acme.yaml:3:9: error: notifications.rows is how many worklist rows of a card a message shows, from 1 to 20, not 21 [invalid-value]",
        ]),
        NotificationCase(name: "rows not a number", text: withRows.replacing1("rows: 5", "rows: five"), expected: [
            "profiles/acme.yaml:3:9: error: notifications.rows must be a whole number, not a scalar (\"five\") [wrong-type]",
        ]),
        NotificationCase(name: "public_url not a URL", text: withRows.replacing1("https://pulse.example.com", "pulse.example.com"), expected: [
            "profiles/acme.yaml:4:15: error: notifications.public_url must be an http or https URL such as https://pulse.example.com (a path is allowed; a query or fragment is not), not 'pulse.example.com' [invalid-value]",
        ]),
        NotificationCase(name: "public_url with a query", text: withRows.replacing1("https://pulse.example.com", "https://pulse.example.com/?x=1"), expected: [
            "profiles/acme.yaml:4:15: error: notifications.public_url must be an http or https URL such as https://pulse.example.com (a path is allowed; a query or fragment is not), not 'https://pulse.example.com/?x=1' [invalid-value]",
        ]),
        NotificationCase(name: "public_url with a password", text: withRows.replacing1("https://pulse.example.com", "https://u:hunter2@pulse.example.com"), expected: [
            "profiles/acme.yaml:4:15: error: notifications.public_url must not hold a user name or password; write an address such as https://pulse.example.com [invalid-value]",
        ]),
        NotificationCase(name: "unknown key in notifications", text: withRows.replacing1("rows:", "row:"), expected: [
            "profiles/acme.yaml:3:3: error: unknown key 'row' in notifications; did you mean 'rows'? [unknown-key]",
        ]),
        NotificationCase(name: "channels not a mapping", text: "profile: acme\nnotifications:\n  channels: [ops]\n", expected: [
            "profiles/acme.yaml:3:13: error: notifications.channels must be a mapping of channel names to channels, such as ops: {type: slack, url: \"${SLACK_OPS_URL}\"}, not a list [wrong-type]",
        ]),
    ]

    @Test(arguments: cases)
    func aBrokenSectionGivesExactlyItsFindings(_ c: NotificationCase) {
        #expect(Self.lint([(Self.path, c.text)]) == c.expected)
    }

    @Test func theCleanFixturesAreClean() {
        #expect(Self.lint([(Self.path, Self.small)]).isEmpty)
        #expect(Self.lint([(Self.path, Self.quiet)]).isEmpty)
        #expect(Self.lint([(Self.path, Self.withRows)]).isEmpty)
    }

    @Test(arguments: [
        ("url: \"${SLACK_OPS_URL}\"", "url: \"https://hooks.slack.com/services/T0/B0/xyzSECRET\"", false, 4, 29,
         "notifications.channels.ops.url is a secret and must be an environment variable reference such as ${SLACK_OPS_URL}, not a literal value (anyone holding a webhook's URL can post to it; "),
        ("routing_key: \"${PD_ROUTING_KEY}\"", "routing_key: R0ABCDEF0123456789xyzSECRET", false, 5, 44,
         "notifications.channels.oncall.routing_key is a secret and must be an environment variable reference such as ${PD_ONCALL_ROUTING_KEY}, not a literal value (anyone holding a routing key can open incidents; "),
        ("    oncall:", "    mail-out: {type: email, smtp: \"smtps://pulse:xyzSECRET@smtp.example.com\", from: p@example.com, to: o@example.com}\n    oncall:", true, 5, 35,
         "notifications.channels.mail-out.smtp is a secret and must be an environment variable reference such as ${SMTP_MAIL_OUT_URL}, not a literal value (the URL holds the mail server's user and password; "),
    ] as [(String, String, Bool, Int, Int, String)])
    func aLiteralSecretIsAnErrorThatNeverQuotesIt(_ old: String, _ new: String, _ routed: Bool, _ line: Int, _ column: Int, _ message: String) {
        let replaced = Self.small.replacing1(old, new)
        let text = routed ? replaced.replacing1("[ops]", "[ops, mail-out]") : replaced
        var set = ConfigSet()
        set.add(file: Self.path, bytes: Array(text.utf8))
        let found = Linter().lint(set)
        #expect(found.map(\.rule) == [.secretLiteral])
        #expect(found.first?.location == SourceLocation(file: Self.path, line: line, column: column))
        #expect(found.first?.message.hasPrefix(message) == true, "\(found.first?.message ?? "")")
        let renderer = DiagnosticRenderer(sources: [Self.path: text])
        let rendered = renderer.render(found, format: .text, files: 1) + renderer.render(found, format: .json, files: 1)
        #expect(!rendered.contains("xyzSECRET"))
    }

    @Test func noLineOfTheSectionIsQuoted() {
        // Even a finding that holds no secret is not quoted: the line may hold one.
        var set = ConfigSet()
        let text = Self.small.replacing1("type: slack", "type: slak")
        set.add(file: Self.path, bytes: Array(text.utf8))
        #expect(Linter().lint(set).allSatisfy { !$0.quotesSource })
    }

    @Test func routeCardsAreCheckedWhenCardsAreLinted() {
        let text = Self.small.replacing1("- to: [ops]", "- {match: {cards: [ok_crd, ok_card]}, to: [ops]}")
        #expect(Self.lint([(Self.path, text)]).isEmpty, "no cards among the paths: not checked")
        #expect(Self.lint([("cards/a/ok_card.yaml", LintFixtures.card), (Self.path, text)]) == [
            "profiles/acme.yaml:7:24: error: a route's match.cards names 'ok_crd', but no card has that key; did you mean 'ok_card'? [unknown-card]",
        ])
    }

    @Test func routeRolesAreThisProfilesRoles() {
        let text = Self.small.replacing1("- to: [ops]", "- {match: {roles: [owner, buyer]}, to: [ops]}")
        #expect(Self.lint([(Self.path, text)]) == [
            "profiles/acme.yaml:7:31: error: unknown role 'buyer' in a route's match.roles; this profile's roles are owner, operations, finance, marketing [unknown-role]",
        ])
        #expect(Self.lint([(Self.path, text + "roles: [owner, buyer]\n")]).isEmpty)
    }

    @Test func theChannelKeysTableCoversEveryType() {
        let table = ChannelKey.readmeTable
        for type in ChannelType.allCases { #expect(table.contains("| `\(type.rawValue)` |")) }
        #expect(table.contains("| `email` | `smtp` | yes | `${NAME}` only |"))
        #expect(table.contains("| `pagerduty` | `url` | no |  |"))
        #expect(!table.contains("| `email` | `url` |"))
    }

    @Test(arguments: [("00:00", false, 0), ("23:59", false, 1439), ("24:00", true, 1440), ("24:00", false, nil), ("24:01", true, nil),
                      ("12:60", false, nil), ("9:00", false, nil), ("09:00 ", false, nil), ("ab:cd", false, nil)] as [(String, Bool, Int?)])
    func timesOfDay(_ text: String, _ allowing24: Bool, _ minutes: Int?) {
        #expect(NotificationSettings.minutes(ofTime: text, allowing24: allowing24) == minutes)
    }
}
