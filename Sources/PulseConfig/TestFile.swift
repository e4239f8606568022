import Foundation
import PulseDiagnostics
import PulseYAML

/// A `pulse test` file: which cards and profile to use, and a list of cases.
public struct TestFile: Sendable {
    /// Where the profile comes from.
    public enum ProfileSource: Sendable {
        /// A name looked up in the profiles folder, or a path to a profile file.
        case reference(Located<String>)
        /// A profile written in the test file (it may `extends` a named one).
        case inline(Profile)
    }

    /// The file's path.
    public var file: String
    /// The cards folder (resolved against the file's folder), if given.
    public var cards: Located<String>?
    /// The profiles folder (resolved against the file's folder), if given.
    public var profiles: Located<String>?
    /// The profile every case starts from.
    public var profile: ProfileSource
    /// The default `now` of the cases.
    public var now: Located<String>?
    /// The cases, in file order.
    public var cases: [TestCase]
}

/// One case: fixtures, optional profile overrides, and expectations per card.
public struct TestCase: Sendable {
    /// The case's name.
    public var name: Located<String>
    /// `now` for this case (overrides the file's).
    public var now: Located<String>?
    /// A snapshot folder (resolved against the file's folder), instead of inline tables.
    public var snapshot: Located<String>?
    /// Inline fixture tables by snapshot file name (`listings.jsonl`, …): each row as a snapshot line.
    public var tables: [String: [FixtureRow]]
    /// Profile overrides for this case (a profile that extends the file's).
    public var profile: Profile?
    /// Expectations by card key.
    public var expectations: [CardExpectation]
    /// Where the case starts.
    public var location: SourceLocation
}

/// What a case expects of one card.
public struct CardExpectation: Sendable {
    /// The card key.
    public var card: Located<String>
    /// The value (`.some(nil)` expects null).
    public var value: Located<Double?>?
    /// How far the value may be off: half a unit of the last decimal written (`82.7` accepts
    /// 82.65 up to 82.75); 0 for a whole number.
    public var valueTolerance: Double = 0
    /// Whether the alert's condition holds (a test has no history, so `for` is not applied).
    public var firing: Located<Bool>?
    /// The card's state, one of ``CardState`` (a test has no history: an alert with `for: N > 1`
    /// whose condition holds is pending).
    public var state: Located<CardState>?
    /// The severity of a firing card: warn or critical (`none`: not firing).
    public var severity: Located<AlertSeverity?>?
    /// The exact breakdown.
    public var breakdown: Located<[String: Double]>?
    /// Labels that must be in the breakdown with these values (others may be too).
    public var breakdownIncludes: Located<[String: Double]>?
    /// Ids that must appear in the worklist (in any column).
    public var rowsInclude: [Located<String>]
    /// Ids that must not appear in the worklist.
    public var rowsExclude: [Located<String>]
    /// How many worklist rows.
    public var rowCount: Located<Int>?
    /// How many rows errored.
    public var errors: Located<Int>?
}

extension TestFile {
    /// The fixture tables a case may hold, by YAML key, with the snapshot file each becomes.
    public static let tables: [(key: String, file: String)] = [
        ("listings", "listings.jsonl"), ("stock", "stock.jsonl"), ("audit_events", "audit_events.jsonl"),
        ("freight_templates", "freight_templates.jsonl"), ("category_restrictions", "category_restrictions.jsonl"),
    ]


    static let caseKeys = ["name", "now", "snapshot", "profile", "expect"] + tables.map(\.key)
    static let expectationKeys = ["value", "firing", "state", "severity", "breakdown", "breakdown_includes", "rows", "row_count", "errors"]

    /// Reads a test file; nil with diagnostics (file:line:col) when it is not a valid one.
    public static func load(file: String, bytes: [UInt8]) -> (TestFile?, [Diagnostic], String) {
        let document = YAMLParser.parse(bytes: bytes, file: file)
        guard document.diagnostics.isEmpty || document.root != nil else { return (nil, document.diagnostics, document.text) }
        guard let root = document.root, !root.isNull else {
            return (nil, document.diagnostics + [.error(.emptyFile, "the test file is empty; it needs profile and tests", at: .startOf(file))], document.text)
        }
        let reader = NodeReader()
        let result = decode(root, file: file, reader: reader)
        let diagnostics = (document.diagnostics + reader.diagnostics).sortedForReport()
        return (diagnostics.hasErrors ? nil : result, diagnostics, document.text)
    }

    /// Decodes a test file's parsed root, reporting into `reader`.
    static func decode(_ root: YAMLNode, file: String, reader: NodeReader) -> TestFile? {
        guard let f = reader.fields(of: root, in: "a test file", keys: TestFileKey.self) else { return nil }
        let cards = f[.cards].flatMap { reader.nonEmptyString($0.value, "cards") }
        let profiles = f[.profiles].flatMap { reader.nonEmptyString($0.value, "profiles") }
        let now = f[.now].flatMap { reader.nonEmptyString($0.value, "now") }
        var profile: ProfileSource?
        if let node = f[.profile]?.value {
            if node.mapping != nil {
                profile = Profile.decodeInline(node, name: "\(ConfigFiles.stem(file)) (inline)", file: file, reader: reader).map(ProfileSource.inline)
            } else if let name = reader.nonEmptyString(node, "profile") {
                profile = .reference(name)
            }
        }
        var cases: [TestCase] = []
        if let node = f[.tests]?.value {
            if let items = node.sequence {
                var names: [String: SourceLocation] = [:]
                for item in items {
                    guard let c = decodeCase(item, file: file, reader: reader) else { continue }
                    if let first = names[c.name.value] {
                        reader.error(.testDuplicate, "a test named '\(c.name.value)' is already at line \(first.line); names must be unique", at: c.name.location)
                    }
                    names[c.name.value] = c.name.location
                    cases.append(c)
                }
                if items.isEmpty { reader.error(.emptyValue, "tests is empty; add at least one case", at: node.location) }
            } else {
                reader.error(.wrongType, "tests must be a list of cases, not \(node.kindDescription)", at: node.location)
            }
        }
        guard let profile else { return nil }
        return TestFile(file: file, cards: cards, profiles: profiles, profile: profile, now: now, cases: cases)
    }

    private static func decodeCase(_ node: YAMLNode, file: String, reader: NodeReader) -> TestCase? {
        guard let f = reader.fields(of: node, in: "a test case", known: caseKeys, required: ["name", "expect"]),
              let name = f["name"].flatMap({ reader.nonEmptyString($0.value, "name") })
        else { return nil }
        let now = f["now"].flatMap { reader.nonEmptyString($0.value, "now") }
        let snapshot = f["snapshot"].flatMap { reader.nonEmptyString($0.value, "snapshot") }
        var tables: [String: [FixtureRow]] = [:]
        for (key, fileName) in TestFile.tables {
            guard let node = f[key]?.value else { continue }
            if let snapshot {
                reader.error(.testFixture, "give either snapshot or inline tables, not both (snapshot is at line \(snapshot.location.line))", at: node.location)
            }
            if node.isNull { tables[fileName] = []; continue }
            guard let rows = node.sequence else {
                reader.error(.wrongType, "\(key) must be a list of rows, not \(node.kindDescription)", at: node.location)
                continue
            }
            for row in rows where row.mapping == nil {
                reader.error(.wrongType, "each row of \(key) must be a mapping of fields, not \(row.kindDescription)", at: row.location)
            }
            tables[fileName] = rows.filter { $0.mapping != nil }.map(FixtureRow.init)
        }
        let profile = f["profile"].flatMap { pair -> Profile? in
            guard pair.value.mapping != nil else {
                reader.error(.wrongType, "a case's profile must be a mapping of overrides (buffer_skus, cards, …), not \(pair.value.kindDescription)", at: pair.value.location)
                return nil
            }
            return Profile.decodeInline(pair.value, name: "\(name.value) (overrides)", file: file, reader: reader)
        }
        var expectations: [CardExpectation] = []
        if let node = f["expect"]?.value {
            if let pairs = node.mapping {
                for pair in pairs {
                    guard let key = reader.nonEmptyString(pair.key, "a card key") else { continue }
                    if let e = decodeExpectation(pair.value, card: key, reader: reader) { expectations.append(e) }
                }
                if pairs.isEmpty { reader.error(.emptyValue, "expect is empty; name a card and what it should give", at: node.location) }
            } else {
                reader.error(.wrongType, "expect must map card keys to expectations, not \(node.kindDescription)", at: node.location)
            }
        }
        return TestCase(name: name, now: now, snapshot: snapshot, tables: tables, profile: profile, expectations: expectations, location: node.location)
    }

    private static func decodeExpectation(_ node: YAMLNode, card: Located<String>, reader: NodeReader) -> CardExpectation? {
        guard let f = reader.fields(of: node, in: "the expectations of '\(card.value)'", known: expectationKeys, required: []) else { return nil }
        var e = CardExpectation(card: card, rowsInclude: [], rowsExclude: [])
        if let v = f["value"]?.value {
            if v.isNull { e.value = Located(nil, at: v.location) } else if let d = reader.double(v, "value") {
                e.value = Located(d, at: v.location)
                if let text = v.scalar?.value, let dot = text.firstIndex(of: "."), !text.contains("e"), !text.contains("E") {
                    let decimals = text.distance(from: text.index(after: dot), to: text.endIndex)
                    e.valueTolerance = 0.5 * pow(10, -Double(decimals)) + 1e-12
                }
            }
        }
        e.firing = f["firing"].flatMap { reader.bool($0.value, "firing") }
        e.state = f["state"].flatMap { p in reader.choice(p.value, "state", as: CardState.self).map { Located($0, at: p.value.location) } }
        if let p = f["severity"] {
            if p.value.scalar?.value == "none" {
                e.severity = Located(nil, at: p.value.location)
            } else if let level = reader.choice(p.value, "severity (or none)", as: AlertSeverity.self) {
                e.severity = Located(level, at: p.value.location)
            }
        }
        e.breakdown = f["breakdown"].flatMap { numberMap($0.value, "breakdown", reader: reader) }
        e.breakdownIncludes = f["breakdown_includes"].flatMap { numberMap($0.value, "breakdown_includes", reader: reader) }
        if let rows = f["rows"]?.value {
            if let g = reader.fields(of: rows, in: "rows", known: ["include", "exclude"], required: []) {
                e.rowsInclude = g["include"].flatMap { reader.stringList($0.value, "rows.include") } ?? []
                e.rowsExclude = g["exclude"].flatMap { reader.stringList($0.value, "rows.exclude") } ?? []
            }
        }
        e.rowCount = f["row_count"].flatMap { p in reader.int(p.value, "row_count").map { Located($0, at: p.value.location) } }
        e.errors = f["errors"].flatMap { p in reader.int(p.value, "errors").map { Located($0, at: p.value.location) } }
        return e
    }

    private static func numberMap(_ node: YAMLNode, _ what: String, reader: NodeReader) -> Located<[String: Double]>? {
        guard let pairs = node.mapping else {
            reader.error(.wrongType, "\(what) must map labels to numbers, not \(node.kindDescription)", at: node.location)
            return nil
        }
        var out: [String: Double] = [:]
        for pair in pairs {
            guard let label = reader.string(pair.key, "a label"), let d = reader.double(pair.value, "the value of '\(label.value)'") else { continue }
            out[label.value] = d
        }
        return Located(out, at: node.location)
    }
}
