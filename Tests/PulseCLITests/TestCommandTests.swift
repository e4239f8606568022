import Foundation
#if canImport(FoundationXML)
import FoundationXML
#endif
import Testing

@Suite struct TestCommandTests {
    private func setup(_ tests: [String: String]) throws -> URL {
        var files = try CLI.shippedConfig()
        for (name, text) in tests { files["tests/\(name)"] = text }
        return try CLI.scratch(files)
    }

    private let passing = """
        profile: demo
        tests:
          - name: one OOS
            listings:
              - {id: L1, status: active, skus: [{code: A1, stock: 5}]}
            stock:
              - {sku: A1, available: 0}
            expect:
              aex_xc_listed_but_oos_on_bc: {value: 1, firing: true, rows: {include: [L1]}}
        """

    @Test func shippedTestsPass() throws {
        let result = try CLI.run(["test"], in: CLI.packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix(" passed, 0 failed\n"))
        #expect(!result.stdout.contains("FAIL"))
    }

    @Test func failingExpectationShowsOnlyWhatDiffers() throws {
        let failing = passing.replacingOccurrences(of: "{value: 1, firing: true, rows: {include: [L1]}}",
                                                   with: "{value: 2, firing: true, rows: {include: [L1, L9]}, breakdown: {x: 1}}")
        let dir = try setup(["a.yaml": passing, "b.yaml": failing.replacingOccurrences(of: "one OOS", with: "two OOS")])
        let result = try CLI.run(["test"], in: dir)
        #expect(result.status == 1)
        #expect(result.stdout == """
            PASS one OOS
            FAIL two OOS
                aex_xc_listed_but_oos_on_bc: value: expected 2, got 1
                aex_xc_listed_but_oos_on_bc: breakdown: expected one, but the card has no group_by
                aex_xc_listed_but_oos_on_bc: breakdown[x]: expected 1, got none
                aex_xc_listed_but_oos_on_bc: rows: L9 is not in the worklist
            1 passed, 1 failed

            """)
        let selected = try CLI.run(["test", "--run", "^one"], in: dir)
        #expect(selected.status == 0)
        #expect(selected.stdout.hasSuffix("1 passed, 0 failed\n"))
    }

    @Test func thresholdChangeMovesTheExpectation() throws {
        let dir = try setup(["a.yaml": passing])
        #expect(try CLI.run(["test"], in: dir).status == 0)
        let demo = dir.appendingPathComponent("profiles/demo.yaml")
        let tuned = try String(contentsOf: demo, encoding: .utf8).replacingOccurrences(of: "alert: {when: \"> 0\", for: 2}", with: "alert: \"> 3\"")
        try Data(tuned.utf8).write(to: demo)
        let result = try CLI.run(["test"], in: dir)
        #expect(result.status == 1)
        #expect(result.stdout.contains("aex_xc_listed_but_oos_on_bc: firing: expected true, got false (alert > 3, value 1)"))
    }

    @Test(arguments: [
        ("profile: demo\ntests:\n  - name: x\n    expect: {aex_total_listings: {valeu: 1}}\n",
         "tests/t.yaml:4:35: error: unknown key 'valeu' in the expectations of 'aex_total_listings'; did you mean 'value'? [unknown-key]"),
        ("profile: demo\ntests:\n  - name: x\n    listings:\n      - {id: L1, status: live, skus: []}\n    expect: {aex_total_listings: {value: 1}}\n",
         "tests/t.yaml:5:9: error: listings: unknown status \"live\" in \"status\"; expected one of active, auditing, rejected, expired, offline, draft [test-fixture]"),
        ("profile: demo\ntests:\n  - name: x\n    now: yesterday\n    expect: {aex_total_listings: {value: 1}}\n",
         "tests/t.yaml:4:10: error: now must be an RFC 3339 timestamp such as 2026-03-17T08:00:00Z, not 'yesterday' [test-now]"),
        ("profile: dmeo\ntests:\n  - name: x\n    expect: {aex_total_listings: {value: 1}}\n",
         "tests/t.yaml:1:10: error: no profile 'dmeo' in profiles; did you mean 'demo'? [test-setup]"),
        ("profile: demo\ntests:\n  - name: x\n    expect: {aex_total_listing: {value: 1}}\n",
         "tests/t.yaml:4:14: error: no card has the key 'aex_total_listing'; did you mean 'aex_total_listings'? [unknown-card]"),
        ("profile: demo\ntests:\n  - name: x\n    expect: {aex_total_listings: {value: one}}\n",
         "tests/t.yaml:4:42: error: value must be a number, not a scalar (\"one\") [wrong-type]"),
        ("profile: demo\ntests:\n  - {name: x, expect: {aex_total_listings: {value: 1}}}\n  - {name: x, expect: {aex_total_listings: {value: 1}}}\n",
         "tests/t.yaml:4:12: error: a test named 'x' is already at line 3; names must be unique [test-duplicate]"),
    ])
    func invalidTestFileExitsTwoAtItsPosition(_ text: String, _ expected: String) throws {
        let dir = try setup(["t.yaml": text])
        let result = try CLI.run(["test"], in: dir)
        #expect(result.status == 2)
        let lines = result.stderr.split(separator: "\n").map(String.init)
        #expect(lines.dropFirst().first == expected, "\(result.stderr)")
    }

    @Test func junitIsWellFormedXML() throws {
        let failing = passing.replacingOccurrences(of: "value: 1,", with: "value: 5,").replacingOccurrences(of: "one OOS", with: "a <b> & \"c\"")
        let dir = try setup(["a.yaml": passing, "b.yaml": failing])
        let result = try CLI.run(["test", "--format", "junit"], in: dir)
        #expect(result.status == 1)
        let delegate = JUnitCollector()
        let parser = XMLParser(data: Data(result.stdout.utf8))
        parser.delegate = delegate
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(delegate.elements.filter { $0 == "testcase" }.count == 2)
        #expect(delegate.elements.filter { $0 == "failure" }.count == 1)
        #expect(delegate.names.contains("a <b> & \"c\""))
    }

    /// XML 1.0 cannot carry a control character, not even as `&#1;`: it is written as `\u0001`.
    @Test func junitWritesControlCharactersInALegalForm() throws {
        let named = passing.replacingOccurrences(of: "name: one OOS", with: "name: \"bell\\x01end\"")
        let dir = try setup(["a.yaml": named])
        let result = try CLI.run(["test", "--format", "junit"], in: dir)
        #expect(result.status == 0, "\(result.stderr)")
        let parser = XMLParser(data: Data(result.stdout.utf8))
        let delegate = JUnitCollector()
        parser.delegate = delegate
        #expect(parser.parse(), "\(parser.parserError.map { "\($0)" } ?? "")")
        #expect(delegate.names.contains("bell\\u0001end"))
    }

    @Test func jsonReport() throws {
        let dir = try setup(["a.yaml": passing])
        let result = try CLI.run(["test", "--format", "json"], in: dir)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        #expect(object["passed"] as? Int == 1)
        #expect(object["failed"] as? Int == 0)
    }
}

final class JUnitCollector: NSObject, XMLParserDelegate {
    var elements: [String] = []
    var names: [String] = []
    func parser(_ parser: XMLParser, didStartElement elementName: String, namespaceURI: String?, qualifiedName: String?,
                attributes: [String: String] = [:]) {
        elements.append(elementName)
        if elementName == "testcase", let name = attributes["name"] { names.append(name) }
    }
}
