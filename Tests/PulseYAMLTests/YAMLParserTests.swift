import PulseDiagnostics
import Testing
@testable import PulseYAML

@Suite struct YAMLParserTests {
    private func parse(_ text: String, limits: YAMLLimits = .default) -> YAMLDocument {
        YAMLParser.parse(text, file: "t.yaml", limits: limits)
    }

    private func value(_ root: YAMLNode?, _ key: String) -> YAMLNode? {
        root?.mapping?.first { $0.key.scalar?.value == key }?.value
    }

    @Test func nodesCarryOneBasedPositions() throws {
        let doc = parse("a: 1\nlist:\n  - x\n  - {k: v}\n")
        #expect(doc.diagnostics.isEmpty)
        let root = try #require(doc.root)
        #expect(root.location == SourceLocation(file: "t.yaml", line: 1, column: 1))
        let list = try #require(value(root, "list")?.sequence)
        #expect(list[0].location == SourceLocation(file: "t.yaml", line: 3, column: 5))
        #expect(list[1].location == SourceLocation(file: "t.yaml", line: 4, column: 5))
        let pair = try #require(list[1].mapping?.first)
        #expect(pair.key.location.column == 6)
        #expect(pair.value.location.column == 9)
        #expect(pair.value.scalar?.value == "v")
    }

    @Test func columnsCountUnicodeScalarsNotBytes() throws {
        let doc = parse("é: \"ünï\"\nk: x\n")
        let root = try #require(doc.root)
        #expect(value(root, "é")?.location.column == 4)
        // Offset 2 of "ünï" is ï, at column 7 (after the opening quote at 4).
        #expect(value(root, "é")?.scalar?.location(ofOffset: 2).column == 7)
    }

    @Test func literalBlockScalarOffsetsMapToTheirOwnLines() throws {
        let doc = parse("where: |\n  listing.status == \"active\"\n    && sku.stok > 0\nx: 1\n")
        let scalar = try #require(value(doc.root, "where")?.scalar)
        #expect(scalar.style == .literal)
        let offset = try #require(scalar.value.range(of: "stok")).lowerBound
        let n = scalar.value.unicodeScalars.distance(from: scalar.value.unicodeScalars.startIndex, to: offset)
        #expect(scalar.location(ofOffset: n) == SourceLocation(file: "t.yaml", line: 3, column: 12))
        #expect(scalar.location(ofOffset: 0) == SourceLocation(file: "t.yaml", line: 2, column: 3))
    }

    @Test func foldedAndPlainMultilineScalarsMapBack() throws {
        let doc = parse("a: >-\n  one\n  two\nb: first\n  second\n")
        let folded = try #require(value(doc.root, "a")?.scalar)
        #expect(folded.value == "one two")
        #expect(folded.location(ofOffset: 4) == SourceLocation(file: "t.yaml", line: 3, column: 3))
        let plain = try #require(value(doc.root, "b")?.scalar)
        #expect(plain.value == "first second")
        #expect(plain.location(ofOffset: 6) == SourceLocation(file: "t.yaml", line: 5, column: 3))
    }

    @Test func quotedScalarWithEscapesMapsPastTheEscape() throws {
        let doc = parse(#"w: "a == \"x\" && b""# + "\n")
        let scalar = try #require(value(doc.root, "w")?.scalar)
        #expect(scalar.value == #"a == "x" && b"#)
        // "b" is at value offset 12; in the file: w: "a == \"x\" && b" -> column 19.
        #expect(scalar.location(ofOffset: 12).column == 19)
    }

    @Test func duplicateKeysAreErrorsWithBothPositions() {
        let doc = parse("a: 1\nb: 2\na: 3\n")
        #expect(doc.diagnostics.map(\.description) == [
            "t.yaml:3:1: error: duplicate key 'a' (first defined at line 1, column 1); remove one of them [yaml-duplicate-key]",
        ])
    }

    @Test func aliasBombIsRefusedWithoutExpanding() {
        var text = "a: &a [x, x, x, x, x, x, x, x, x, x]\n"
        for i in 1...20 {
            let previous = i == 1 ? "a" : "a\(i - 1)"
            text += "a\(i): &a\(i) [" + Array(repeating: "*\(previous)", count: 10).joined(separator: ", ") + "]\n"
        }
        let doc = parse(text)
        #expect(doc.diagnostics.count == 1)
        #expect(doc.diagnostics.first?.rule == .yamlAliasLimit)
        #expect(doc.diagnostics.first?.location.line == 5)
    }

    @Test func smallAliasesAreExpanded() throws {
        let doc = parse("base: &m [US, GB]\nother: *m\n")
        #expect(doc.diagnostics.isEmpty)
        #expect(value(doc.root, "other")?.sequence?.compactMap(\.scalar?.value) == ["US", "GB"])
    }

    @Test func unknownAliasIsAnError() {
        let doc = parse("a: *nope\n")
        #expect(doc.diagnostics.map(\.description) == ["t.yaml:1:4: error: alias *nope refers to no anchor &nope defined before it [yaml-syntax]"])
    }

    @Test func mergeKeysAreRefused() {
        let doc = parse("base: &b {x: 1}\nc:\n  <<: *b\n  y: 2\n")
        #expect(doc.diagnostics.map(\.description) == [
            "t.yaml:3:3: error: merge keys (<<) are not supported; write the keys out in this mapping [yaml-merge-key]",
        ])
    }

    @Test func secondDocumentIsRefused() {
        let doc = parse("a: 1\n---\nb: 2\n")
        #expect(doc.diagnostics.map(\.rule) == [.yamlMultiDocument])
        #expect(doc.diagnostics.first?.location.line == 2)
    }

    @Test func deepNestingIsRefused() {
        let text = String(repeating: "[", count: 100) + String(repeating: "]", count: 100)
        let doc = parse(text, limits: YAMLLimits(maxBytes: 1 << 20, maxDepth: 64, maxExpandedNodes: 1000))
        #expect(doc.diagnostics.map(\.description) == ["t.yaml:1:65: error: nesting is deeper than 64 levels [yaml-depth-limit]"])
    }

    @Test func oversizedFileIsRefused() {
        let doc = parse(String(repeating: "a: 1\n", count: 100), limits: YAMLLimits(maxBytes: 100, maxDepth: 8, maxExpandedNodes: 100))
        #expect(doc.diagnostics.map(\.rule) == [.yamlFileSize])
        #expect(doc.root == nil)
    }

    @Test func invalidUTF8IsLocated() {
        let bytes: [UInt8] = Array("a: ok\nb: x".utf8) + [0xFF] + Array("\n".utf8)
        let doc = YAMLParser.parse(bytes: bytes, file: "t.yaml")
        #expect(doc.diagnostics.map(\.description) == [
            "t.yaml:2:5: error: invalid UTF-8 byte 0xFF; save the file as UTF-8 [yaml-encoding]",
        ])
    }

    @Test func tabsAreLocatedWithAHint() {
        let doc = parse("a: 1\n\tb: 2\n")
        #expect(doc.diagnostics.count == 1)
        #expect(doc.diagnostics.first?.location == SourceLocation(file: "t.yaml", line: 2, column: 1))
        #expect(doc.diagnostics.first?.message.contains("spaces, not tabs") == true)
    }

    @Test func unclosedFlowSequenceSaysWhereItOpened() {
        let doc = parse("a: [1, 2\nb: 3\n")
        #expect(doc.diagnostics.count == 1)
        #expect(doc.diagnostics.first?.rule == .yamlSyntax)
        #expect(doc.diagnostics.first?.message.contains("started at line 1, column 4") == true)
    }

    @Test func unquotedTriggerGetsAQuotingHint() {
        let doc = parse("alert: >= 5\n")
        #expect(doc.diagnostics.first?.message.hasSuffix("must be quoted: alert: \"> 0\"") == true)
        #expect(doc.diagnostics.first?.location == SourceLocation(file: "t.yaml", line: 1, column: 9))
    }

    @Test func nullForms() throws {
        let doc = parse("a:\nb: ~\nc: null\nd: 'null'\n")
        let root = try #require(doc.root)
        #expect(value(root, "a")?.isNull == true)
        #expect(value(root, "b")?.isNull == true)
        #expect(value(root, "c")?.isNull == true)
        #expect(value(root, "d")?.isNull == false)
    }

    @Test func emptyFileHasNoRoot() {
        let doc = parse("# only a comment\n")
        #expect(doc.root == nil)
        #expect(doc.diagnostics.isEmpty)
    }
}

/// Issue 10: reading is linear in the size of the file (a 100 KB flow list took 23 s and 20k
/// mapping keys 13-17 s when each added item copied its list). Sizes here would take minutes
/// with the quadratic reader; BENCHMARKS.md has the figures per MB.
@Suite struct YAMLLinearTests {
    @Test func aLongFlowListIsReadWhole() throws {
        let count = 90_000
        let text = "k: [" + (0..<count).map { "a\($0)" }.joined(separator: ", ") + "]\n"
        let doc = YAMLParser.parse(text, file: "t.yaml")
        #expect(doc.diagnostics.isEmpty)
        let list = try #require(doc.root?.mapping?.first?.value.sequence)
        #expect(list.count == count)
        #expect(list.last?.scalar?.value == "a\(count - 1)")
    }

    @Test func manyMappingKeysAreReadAndDuplicatesStillFound() throws {
        let count = 45_000
        let text = (0..<count).map { "k\($0): \($0)" }.joined(separator: "\n") + "\nk7: again\n"
        let doc = YAMLParser.parse(text, file: "t.yaml")
        #expect(doc.root?.mapping?.count == count + 1)
        #expect(doc.diagnostics.map(\.rule) == [.yamlDuplicateKey])
        #expect(doc.diagnostics.first?.location.line == count + 1)
    }
}
