import Foundation
import PulseDiagnostics
import Testing
@testable import PulseConfig

/// One broken fixture per rule, with the exact finding it must give.
struct LintCase: Sendable, CustomTestStringConvertible {
    let rule: String
    let path: String
    let text: String
    let expected: String
    var testDescription: String { rule }
}

private let card = LintFixtures.card
private let profile = LintFixtures.profile
private let cardPath = "cards/a/ok_card.yaml"
private let profilePath = "profiles/ok.yaml"
/// The valid profile with a notifications section: one channel, one route to it.
private let notifying = profile + """
    notifications:
      channels:
        ops: {type: slack, url: "${SLACK_OPS_URL}"}
      routes:
        - {to: [ops]}

    """

let lintCases: [LintCase] = [
    LintCase(rule: "yaml-syntax", path: cardPath, text: card.replacing1("roles: [owner]", "roles: [owner"),
             expected: "cards/a/ok_card.yaml:8:7: error: did not find expected ',' or ']' while parsing a flow sequence started at line 7, column 8 [yaml-syntax]"),
    LintCase(rule: "yaml-duplicate-key", path: cardPath, text: card + "title: again\n",
             expected: "cards/a/ok_card.yaml:15:1: error: duplicate key 'title' (first defined at line 2, column 1); remove one of them [yaml-duplicate-key]"),
    LintCase(rule: "yaml-merge-key", path: profilePath, text: profile + "    <<: {enabled: true}\n",
             expected: "profiles/ok.yaml:7:5: error: merge keys (<<) are not supported; write the keys out in this mapping [yaml-merge-key]"),
    LintCase(rule: "yaml-multi-document", path: cardPath, text: card + "---\nkey: second\n",
             expected: "cards/a/ok_card.yaml:15:1: error: a file holds one document; move this one (after `---`) into a file of its own [yaml-multi-document]"),
    LintCase(rule: "empty-file", path: cardPath, text: "# nothing yet\n",
             expected: "cards/a/ok_card.yaml:1:1: error: the file is empty; a card needs key, title, connector, from and measure, a profile needs profile [empty-file]"),
    LintCase(rule: "unknown-key", path: cardPath, text: card.replacing1("measure:", "mesure:"),
             expected: "cards/a/ok_card.yaml:13:1: error: unknown key 'mesure' in a card; did you mean 'measure'? [unknown-key]"),
    LintCase(rule: "missing-key", path: cardPath, text: card.replacing1("title: OK\n", ""),
             expected: "cards/a/ok_card.yaml:1:1: error: a card is missing the required key 'title' [missing-key]"),
    LintCase(rule: "wrong-type", path: cardPath, text: card.replacing1("roles: [owner]", "roles: {owner: 1}"),
             expected: "cards/a/ok_card.yaml:7:8: error: roles must be a list, not a mapping [wrong-type]"),
    LintCase(rule: "empty-value", path: cardPath, text: card.replacing1("title: OK", "title: \"  \""),
             expected: "cards/a/ok_card.yaml:2:8: error: title must not be empty [empty-value]"),
    LintCase(rule: "invalid-value", path: cardPath, text: card.replacing1("unit: count", "unit: percentage"),
             expected: "cards/a/ok_card.yaml:5:7: error: unit must be one of count, percent, not 'percentage'; did you mean 'percent'? [invalid-value]"),
    LintCase(rule: "card-key-pattern", path: "cards/a/OK-Card.yaml", text: card.replacing1("key: ok_card", "key: OK-Card"),
             expected: "cards/a/OK-Card.yaml:1:6: error: card key 'OK-Card' may use only a-z, 0-9 and _; try 'ok_card' [card-key-pattern]"),
    LintCase(rule: "card-key-filename", path: "cards/a/other.yaml", text: card,
             expected: "cards/a/other.yaml:1:6: warning: card key 'ok_card' does not match the file name 'other'; name the file ok_card.yaml [card-key-filename]"),
    LintCase(rule: "bad-duration", path: cardPath, text: card.replacing1("window: RT", "window: 24hours"),
             expected: "cards/a/ok_card.yaml:6:9: error: window must be RT (real time), params.NAME (a duration param) or a duration such as 24h or 7d, at most 36500d (100 years), not '24hours' [bad-duration]"),
    LintCase(rule: "bad-trigger", path: cardPath, text: card.replacing1("alert: \"> 0\"", "alert: \"above 5\""),
             expected: "cards/a/ok_card.yaml:14:8: error: alert must be a comparison (>, >=, <, <=, ==, !=) and a number, such as \"> 0\" or \"< 90\", not 'above 5' [bad-trigger]"),
    LintCase(rule: "bad-trigger (mapping)", path: cardPath, text: card.replacing1("alert: \"> 0\"", "alert: {for: 2}"),
             expected: "cards/a/ok_card.yaml:14:8: error: alert needs when (or critical: a comparison such as \"> 25\"), warn, spike, or several of them [bad-trigger]"),
    LintCase(rule: "alert-levels (when and critical)", path: cardPath, text: card.replacing1("alert: \"> 0\"", "alert: {when: \"> 0\", critical: \"> 5\"}"),
             expected: "cards/a/ok_card.yaml:14:9: error: alert has both when and critical, which are the same level (critical); keep one [alert-levels]"),
    LintCase(rule: "alert-levels (warn above critical)", path: cardPath, text: card.replacing1("alert: \"> 0\"", "alert: {warn: \"> 30\", critical: \"> 25\"}"),
             expected: "cards/a/ok_card.yaml:14:15: error: alert.warn > 30 would never show: every value it catches is already critical (> 25); with >, warn's threshold must be below critical's (warn: \"> 0\", critical: \"> 25\") [alert-levels]"),
    LintCase(rule: "alert-levels (warn below critical for <)", path: profilePath, text: profile.replacing1("alert: \">= 2\"", "alert: {warn: \"< 80\", critical: \"< 90\"}"),
             expected: "profiles/ok.yaml:6:19: error: alert.warn < 80 would never show: every value it catches is already critical (< 90); with <, warn's threshold must be above critical's (warn: \"< 95\", critical: \"< 80\") [alert-levels]"),
    LintCase(rule: "invalid-value (spike severity)", path: cardPath, text: card.replacing1("alert: \"> 0\"", "alert: {spike: {baseline: 7d, factor: 5, severity: page}}"),
             expected: "cards/a/ok_card.yaml:14:52: error: alert.spike.severity must be one of warn, critical, not 'page' [invalid-value]"),
    LintCase(rule: "bad-duration (stale_after 0s)", path: profilePath, text: profile + "stale_after: 0s\n",
             expected: "profiles/ok.yaml:7:14: error: stale_after must be longer than 0s (data is never younger than 0s, so every card would be stale); remove the key to never judge staleness [bad-duration]"),
    LintCase(rule: "bad-duration (stale_after -1h)", path: profilePath, text: profile + "stale_after: -1h\n",
             expected: "profiles/ok.yaml:7:14: error: stale_after must be a duration such as 90m, 24h, 7d or 1d12h, at most 36500d (100 years), not '-1h' [bad-duration]"),
    LintCase(rule: "bad-duration (source stale_after)", path: profilePath,
             text: profile + "sources:\n  aliexpress: {app_key: \"1\", app_secret: \"${S}\", session: \"${T}\", stale_after: 0s}\n",
             expected: "profiles/ok.yaml:8:80: error: sources.aliexpress.stale_after must be longer than 0s (data is never younger than 0s, so every card would be stale); remove the key to never judge staleness [bad-duration]"),
    LintCase(rule: "bad-percent", path: profilePath, text: profile + "data_quality: {max_unmatched_skus: 0.05}\n",
             expected: "profiles/ok.yaml:7:36: error: data_quality.max_unmatched_skus must be a percent from 0% to 100% such as 5% or 0.5%, not '0.05'; if 0.05 is a fraction, write 5% [bad-percent]"),
    LintCase(rule: "bad-percent (over 100%)", path: profilePath, text: profile + "data_quality: {max_unmatched_skus: 150%}\n",
             expected: "profiles/ok.yaml:7:36: error: data_quality.max_unmatched_skus must be a percent from 0% to 100% such as 5% or 0.5%, not '150%' [bad-percent]"),
    LintCase(rule: "unknown-key (alert)", path: cardPath, text: card.replacing1("alert: \"> 0\"", "alert: {when: \"> 0\", spkie: {}}"),
             expected: "cards/a/ok_card.yaml:14:22: error: unknown key 'spkie' in alert; did you mean 'spike'? [unknown-key]"),
    LintCase(rule: "bad-measure", path: cardPath, text: card.replacing1("measure: count", "measure: avg(listing.price)"),
             expected: "cards/a/ok_card.yaml:13:10: error: measure must be count, count_distinct(EXPR), sum(EXPR) or percent(EXPR), not 'avg(listing.price)' [bad-measure]"),
    LintCase(rule: "empty-expression", path: cardPath, text: card.replacing1("where: listing.status == \"active\"", "where: \"\""),
             expected: "cards/a/ok_card.yaml:12:8: error: where is empty; write an expression or remove the key [empty-expression]"),
    LintCase(rule: "param-type", path: cardPath, text: card.replacing1("default: false", "default: \"no\""),
             expected: "cards/a/ok_card.yaml:10:31: error: the default of parameter 'flag' must be true or false, not a scalar (\"no\") (the parameter is declared bool) [param-type]"),
    LintCase(rule: "param-name", path: cardPath, text: card.replacing1("flag: {", "Flag: {"),
             expected: "cards/a/ok_card.yaml:10:3: error: parameter name 'Flag' may use only a-z, 0-9 and _, and not start with a digit [param-name]"),
    LintCase(rule: "unknown-role", path: cardPath, text: card.replacing1("roles: [owner]", "roles: [owner, opperations]"),
             expected: "cards/a/ok_card.yaml:7:16: error: unknown role 'opperations'; did you mean 'operations'?; roles are owner, operations, finance, marketing unless a profile declares more [unknown-role]"),
    LintCase(rule: "unknown-sibling", path: cardPath, text: card + "siblings: [ok_crad]\n",
             expected: "cards/a/ok_card.yaml:15:12: warning: sibling 'ok_crad' is not a known card; did you mean 'ok_card'? [unknown-sibling]"),
    LintCase(rule: "unknown-file-kind", path: "misc/thing.yaml", text: "name: x\n",
             expected: "misc/thing.yaml:1:1: error: cannot tell whether this is a card (it would have a 'key'), a profile (a 'profile') or a test file ('tests'); put it under cards/, profiles/ or card-tests/ [unknown-file-kind]"),
    LintCase(rule: "unknown-card", path: profilePath, text: profile.replacing1("  ok_card:", "  ok_crd:"),
             expected: "profiles/ok.yaml:5:3: error: no card has the key 'ok_crd'; did you mean 'ok_card'? [unknown-card]"),
    LintCase(rule: "unknown-param", path: profilePath, text: profile + "    params: {widow: 12h}\n",
             expected: "profiles/ok.yaml:7:14: error: card 'ok_card' has no parameter 'widow'; did you mean 'window'? [unknown-param]"),
    LintCase(rule: "param-type (profile)", path: profilePath, text: profile + "    params: {window: 12}\n",
             expected: "profiles/ok.yaml:7:22: error: parameter 'window' of card 'ok_card' must be a duration such as 90m, 24h, 7d or 1d12h, at most 36500d (100 years), not '12' (the parameter is declared duration) [param-type]"),
    LintCase(rule: "unknown-role (profile)", path: profilePath, text: profile + "    roles: [owner, ceo]\n",
             expected: "profiles/ok.yaml:7:20: error: unknown role 'ceo'; this profile's roles are owner, operations, finance, marketing [unknown-role]"),
    LintCase(rule: "unknown-country", path: profilePath, text: profile.replacing1("[US, GB]", "[US, UK]"),
             expected: "profiles/ok.yaml:3:24: error: 'UK' is not an ISO 3166-1 alpha-2 country code; did you mean GB? [unknown-country]"),
    LintCase(rule: "bad-timezone", path: profilePath, text: profile.replacing1("timezone: UTC", "timezone: Europe/Londn"),
             expected: "profiles/ok.yaml:2:11: error: unknown time zone 'Europe/Londn'; did you mean 'Europe/London'? [bad-timezone]"),
    LintCase(rule: "extends-unknown", path: profilePath, text: profile.replacing1("timezone: UTC", "extends: bsae"),
             expected: "profiles/ok.yaml:2:10: error: profile 'ok' extends 'bsae', which is not a profile [extends-unknown]"),
    LintCase(rule: "extends-cycle", path: profilePath, text: profile.replacing1("timezone: UTC", "extends: ok"),
             expected: "profiles/ok.yaml:2:10: error: profile 'ok' extends itself through ok -> ok; remove one of these extends [extends-cycle]"),
    LintCase(rule: "profile-name-filename", path: "profiles/acme.yaml", text: profile,
             expected: "profiles/acme.yaml:1:10: warning: profile 'ok' does not match the file name 'acme'; name the file ok.yaml [profile-name-filename]"),
    LintCase(rule: "secret-literal (channel)", path: profilePath, text: notifying.replacing1("${SLACK_OPS_URL}", "https://hooks.slack.com/services/T0/B0/xyzSECRET"),
             expected: "profiles/ok.yaml:9:29: error: notifications.channels.ops.url is a secret and must be an environment variable reference such as ${SLACK_OPS_URL}, not a literal value (anyone holding a webhook's URL can post to it; profiles are meant to be committed, so set the variable where pulse serve or pulse eval --notify runs) [secret-literal]"),
    LintCase(rule: "bad-duration (repeat_every 0s)", path: profilePath, text: notifying.replacing1("{to: [ops]}", "{to: [ops], repeat_every: 0s}"),
             expected: "profiles/ok.yaml:11:33: error: notifications.routes[0].repeat_every must be longer than 0s (it is how often a reminder is sent while an alert stays firing); remove the key for no reminders [bad-duration]"),
    LintCase(rule: "unknown-channel", path: profilePath, text: notifying.replacing1("[ops]", "[ops, opps]"),
             expected: "profiles/ok.yaml:11:18: error: route sends to 'opps', which is not a channel of profile 'ok'; did you mean 'ops'? [unknown-channel]"),
    LintCase(rule: "unused-channel", path: profilePath, text: notifying.replacing1("  routes:", "    page: {type: pagerduty, routing_key: \"${PD_PAGE_KEY}\"}\n  routes:"),
             expected: "profiles/ok.yaml:10:5: warning: channel 'page' of profile 'ok' is reached by no route, so nothing is sent to it; add a route with to: [page], or remove the channel [unused-channel]"),
    LintCase(rule: "invalid-value (channel type)", path: profilePath, text: notifying.replacing1("type: slack", "type: slak"),
             expected: "profiles/ok.yaml:9:17: error: notifications.channels.ops.type must be one of slack, teams, pagerduty, email, webhook, not 'slak'; did you mean 'slack'? [invalid-value]"),
    LintCase(rule: "unknown-key (a key of another channel type)", path: profilePath, text: notifying.replacing1("url:", "routing_key: \"${PD_KEY}\", url:"),
             expected: "profiles/ok.yaml:9:24: error: unknown key 'routing_key' in notifications.channels.ops (a slack channel): routing_key is a key of pagerduty channels; a slack channel takes type, url [unknown-key]"),
    LintCase(rule: "unknown-card (route)", path: profilePath, text: notifying.replacing1("{to: [ops]}", "{match: {cards: [ok_crd]}, to: [ops]}"),
             expected: "profiles/ok.yaml:11:24: error: a route's match.cards names 'ok_crd', but no card has that key; did you mean 'ok_card'? [unknown-card]"),
    LintCase(rule: "unknown-role (route)", path: profilePath, text: notifying.replacing1("{to: [ops]}", "{match: {roles: [opperations]}, to: [ops]}"),
             expected: "profiles/ok.yaml:11:24: error: unknown role 'opperations' in a route's match.roles; did you mean 'operations'?; this profile's roles are owner, operations, finance, marketing [unknown-role]"),
    LintCase(rule: "bool in profile", path: profilePath, text: profile + "    enabled: yes\n",
             expected: "profiles/ok.yaml:7:14: error: enabled must be true or false, not a scalar (\"yes\") [wrong-type]"),
]

@Suite struct LintRuleTests {
    @Test(arguments: lintCases)
    func brokenFixtureGivesExactlyItsFinding(_ c: LintCase) {
        let found = LintFixtures.lintOne(c.path, c.text).map(\.description)
        #expect(found == [c.expected])
    }

    @Test func bothNamesOfCriticalAreReportedAndTheRestOfTheAlertIsStillChecked() {
        let text = LintFixtures.card.replacing1("alert: \"> 0\"", "alert: {when: \"> 0\", critical: \"> 5\", spike: {baseline: 7d, factor: 5, severity: loud}}")
        #expect(LintFixtures.lintOne("cards/a/ok_card.yaml", text).map(\.description) == [
            "cards/a/ok_card.yaml:14:9: error: alert has both when and critical, which are the same level (critical); keep one [alert-levels]",
            "cards/a/ok_card.yaml:14:82: error: alert.spike.severity must be one of warn, critical, not 'loud' [invalid-value]",
        ])
    }

    @Test func validFixturesAreClean() {
        #expect(LintFixtures.lint([("cards/a/ok_card.yaml", LintFixtures.card), ("profiles/ok.yaml", LintFixtures.profile)]).isEmpty)
        #expect(LintFixtures.lint([("cards/a/ok_card.yaml", LintFixtures.card), ("profiles/ok.yaml", notifying)]).isEmpty)
    }

    @Test func duplicateCardKeysAcrossFiles() {
        let found = LintFixtures.lint([("cards/a/ok_card.yaml", LintFixtures.card), ("cards/b/ok_card.yaml", LintFixtures.card)])
        #expect(found.map(\.description) == [
            "cards/b/ok_card.yaml:1:6: error: card key 'ok_card' is already used by cards/a/ok_card.yaml:1; card keys must be unique [card-key-duplicate]",
        ])
    }

    @Test func duplicateProfilesAcrossFiles() {
        let found = LintFixtures.lint([("profiles/ok.yaml", LintFixtures.profile), ("profiles/x/ok.yaml", LintFixtures.profile)])
        #expect(found.map(\.description) == [
            "profiles/x/ok.yaml:1:10: error: profile 'ok' is already defined in profiles/ok.yaml:1; profile names must be unique [profile-duplicate]",
        ])
    }

    @Test func aBrokenCardIsReportedOnceNotAgainByItsReferences() {
        let found = LintFixtures.lint([
            ("cards/a/ok_card.yaml", LintFixtures.card.replacing1("measure:", "mesure:")),
            ("cards/a/other.yaml", LintFixtures.card.replacing1("key: ok_card", "key: other") + "siblings: [ok_card]\n"),
            ("profiles/ok.yaml", LintFixtures.profile),
        ])
        #expect(found.map(\.description) == [
            "cards/a/ok_card.yaml:13:1: error: unknown key 'mesure' in a card; did you mean 'measure'? [unknown-key]",
        ])
    }

    @Test func cycleThroughTwoProfilesIsReportedAtEach() {
        let found = LintFixtures.lint([
            ("profiles/a.yaml", "profile: a\nextends: b\n"),
            ("profiles/b.yaml", "profile: b\nextends: a\n"),
        ])
        #expect(found.map(\.description) == [
            "profiles/a.yaml:2:10: error: profile 'a' extends itself through a -> b -> a; remove one of these extends [extends-cycle]",
            "profiles/b.yaml:2:10: error: profile 'b' extends itself through b -> a -> b; remove one of these extends [extends-cycle]",
        ])
    }

    @Test func profileRolesExtendTheKnownSet() {
        let found = LintFixtures.lint([
            ("cards/a/ok_card.yaml", LintFixtures.card.replacing1("roles: [owner]", "roles: [owner, buyer]")),
            ("profiles/ok.yaml", LintFixtures.profile + "roles: [owner, buyer]\n"),
        ])
        #expect(found.isEmpty)
    }

    @Test func findingsAreSortedByFileAndPosition() {
        let found = LintFixtures.lint([
            ("profiles/ok.yaml", LintFixtures.profile.replacing1("[US, GB]", "[XX, YY]")),
            ("cards/a/ok_card.yaml", LintFixtures.card.replacing1("class: hero", "class: big").replacing1("unit: count", "unit: pct")),
        ])
        #expect(found.map { "\($0.location)" } == [
            "cards/a/ok_card.yaml:4:8", "cards/a/ok_card.yaml:5:7", "profiles/ok.yaml:3:20", "profiles/ok.yaml:3:24",
        ])
    }

    @Test func blockScalarExpressionKeepsItsInnerLines() throws {
        var set = ConfigSet()
        let text = LintFixtures.card.replacing1("where: listing.status == \"active\"", "where: |\n  listing.status == \"active\"\n    && listing.buyable")
        set.add(file: "cards/a/ok_card.yaml", bytes: Array(text.utf8))
        let filter = try #require(set.cards.first?.filter)
        let offset = filter.text.distance(from: filter.text.startIndex, to: try #require(filter.text.range(of: "buyable")).lowerBound)
        #expect(filter.location(ofOffset: offset) == SourceLocation(file: "cards/a/ok_card.yaml", line: 14, column: 16))
    }

    @Test func measureArgumentKeepsItsOffset() throws {
        var set = ConfigSet()
        set.add(file: "cards/a/ok_card.yaml", bytes: Array(LintFixtures.card.replacing1("measure: count", "measure: sum(listing.stock)").utf8))
        let argument = try #require(set.cards.first?.measure.argument)
        #expect(argument.text == "listing.stock")
        #expect(argument.location == SourceLocation(file: "cards/a/ok_card.yaml", line: 13, column: 14))
    }
}
