import Testing
@testable import PulseConfig

@Suite struct SchemaTests {
    @Test(arguments: [("24h", 86_400), ("7d", 604_800), ("90m", 5_400), ("1d12h", 129_600), ("30s", 30), ("2w", 1_209_600)])
    func durationsParse(_ text: String, _ seconds: Int) {
        #expect(ConfigDuration(parsing: text)?.seconds == seconds)
    }

    @Test(arguments: ["", "h", "24", "-1h", "1.5h", "12h1d", "1h1h", "24 h", "99999999999999999999d"])
    func badDurationsAreRefused(_ text: String) {
        #expect(ConfigDuration(parsing: text) == nil)
    }

    @Test func durationsPrintShortest() {
        #expect(ConfigDuration(seconds: 86_400).description == "1d")
        #expect(ConfigDuration(seconds: 5_400).description == "1h30m")
        #expect(ConfigDuration(seconds: 0).description == "0s")
    }

    @Test(arguments: [("> 0", Trigger.Operator.greater, 0.0), (">= 5", .greaterOrEqual, 5), ("< 90", .less, 90),
                      ("== 0", .equal, 0), ("!= 0", .notEqual, 0), ("<=2.5", .lessOrEqual, 2.5), ("> -1", .greater, -1)])
    func triggersParse(_ text: String, _ op: Trigger.Operator, _ threshold: Double) {
        #expect(Trigger(parsing: text) == Trigger(op, threshold))
    }

    @Test(arguments: ["0", "> ", "=> 5", "> five", "> 1e3", ">> 1", "~ 1"])
    func badTriggersAreRefused(_ text: String) {
        #expect(Trigger(parsing: text) == nil)
    }

    @Test func triggerHolds() {
        #expect(Trigger(.greater, 0).holds(1))
        #expect(!Trigger(.greater, 0).holds(0))
        #expect(Trigger(.less, 90).holds(82))
        #expect(Trigger(parsing: "> 0")?.description == "> 0")
        #expect(Trigger(parsing: ">= 2.5")?.description == ">= 2.5")
    }

    @Test func cardDecodesEveryField() throws {
        var set = ConfigSet()
        set.add(file: "cards/a/ok_card.yaml", bytes: Array((LintFixtures.card + "siblings: [x]\nsentiment_key: s\ngroup_by: listing.status\nrows:\n  id: listing.id\n").utf8))
        let card = try #require(set.cards.first)
        #expect(card.key.value == "ok_card")
        #expect(card.cardClass == .hero)
        #expect(card.unit == .count)
        #expect(card.window == .realTime)
        #expect(card.roles?.map(\.value) == ["owner"])
        #expect(card.from == .listings)
        #expect(card.measure.name == "count")
        #expect(card.alert?.trigger == Trigger(.greater, 0))
        #expect(card.params.map(\.name.value) == ["window", "flag"])
        #expect(card.param(named: "window")?.defaultValue == .duration(ConfigDuration(seconds: 86_400)))
        #expect(card.param(named: "flag")?.defaultValue == .bool(false))
        #expect(card.rows.map(\.name.value) == ["id"])
        #expect(card.groupBy?.text == "listing.status")
        #expect(card.sentimentKey == "s")
        #expect(card.expressions.map(\.field) == ["where", "group_by", "rows.id"])
    }

    @Test func allParamTypesDecode() throws {
        let text = LintFixtures.card.replacing1("  flag: {type: bool, default: false}", """
              flag: {type: bool, default: true}
              n: {type: int, default: -3}
              ratio: {type: double, default: 0.5}
              label: {type: string, default: hello}
              skus: {type: list<string>, default: [A, B]}
            """)
        var set = ConfigSet()
        set.add(file: "cards/a/ok_card.yaml", bytes: Array(text.utf8))
        #expect(set.diagnostics.isEmpty)
        let card = try #require(set.cards.first)
        #expect(card.params.map(\.defaultValue) == [
            .duration(ConfigDuration(seconds: 86_400)), .bool(true), .int(-3), .double(0.5), .string("hello"), .stringList(["A", "B"]),
        ])
    }

    @Test func profileExtendsIsResolved() throws {
        var set = ConfigSet()
        set.add(file: "profiles/base.yaml", bytes: Array("""
            profile: base
            priority_markets: [US]
            buffer_skus: [A]
            cards:
              c: {alert: "> 1", params: {window: 12h, flag: true}}
            """.utf8))
        set.add(file: "profiles/child.yaml", bytes: Array("""
            profile: child
            extends: base
            priority_markets: [US, BR]
            cards:
              c: {params: {window: 6h}, enabled: false}
              d: {alert: null}
            """.utf8))
        let resolver = ProfileResolver(profiles: set.profiles)
        let child = try resolver.resolve(#require(set.profile("child"))).get()
        #expect(child.chain == ["child", "base"])
        #expect(child.priorityMarkets == ["US", "BR"])
        #expect(child.bufferSkus == ["A"])
        #expect(child.timezone == "UTC")
        #expect(child.roles == Roles.standard)
        let c = try #require(child.cards["c"])
        #expect(try c.params["window"]?.value(as: .duration).get().description == "6h")
        #expect(try c.params["flag"]?.value(as: .bool).get() == .bool(true))
        #expect(c.enabled?.value == false)
        guard case .rule(let rule) = c.alert else { Issue.record("alert not inherited"); return }
        #expect(rule.trigger == Trigger(.greater, 1))
        guard case .off = child.cards["d"]?.alert else { Issue.record("alert: null should switch the alert off"); return }
    }

    @Test func alertMappingWithForAndSpike() throws {
        var set = ConfigSet()
        let text = LintFixtures.card.replacing1("alert: \"> 0\"", "alert:\n  when: \"> 0\"\n  for: 3\n  spike: {baseline: 7d, factor: 5, min: 10}")
        set.add(file: "cards/a/ok_card.yaml", bytes: Array(text.utf8))
        #expect(set.diagnostics.isEmpty)
        let alert = try #require(set.cards.first?.alert)
        #expect(alert.trigger == Trigger(.greater, 0))
        #expect(alert.holdFor == 3)
        #expect(alert.spike == SpikeRule(baseline: ConfigDuration(seconds: 604_800), factor: 5, min: 10))
        #expect(alert.description == "> 0 or spike ×5 over 7d (min 10) for 3")
    }

    @Test func spikeHoldsAgainstTheMedian() {
        let rule = SpikeRule(baseline: ConfigDuration(seconds: 604_800), factor: 5, min: 10)
        #expect(rule.holds(38, history: [1, 2, 2, 1, 3]) == true)
        #expect(rule.holds(8, history: [1, 1]) == false)      // below min
        #expect(rule.holds(12, history: [2, 4, 3]) == false)  // 12 < 5 x 3
        #expect(rule.holds(38, history: []) == nil)           // no baseline
        #expect(SpikeRule.median([4, 1, 3, 2]) == 2.5)
    }

    @Test func countryCodes() {
        #expect(CountryCodes.all.count == 249)
        #expect(CountryCodes.isValid("NO"))
        #expect(CountryCodes.suggestion(for: "UK") == "GB")
        #expect(CountryCodes.suggestion(for: "br") == "BR")
        #expect(CountryCodes.suggestion(for: "QQ") == nil)
    }

    @Test func norwayIsAStringNotABoolean() throws {
        var set = ConfigSet()
        set.add(file: "profiles/n.yaml", bytes: Array("profile: n\npriority_markets: [NO, SE]\n".utf8))
        #expect(set.profiles.first?.priorityMarkets?.map(\.value) == ["NO", "SE"])
    }
}
