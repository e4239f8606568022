import Foundation
import Testing

@Suite struct ValidateCommandTests {
    private let card = """
        key: c1
        title: One
        connector: aliexpress
        from: listings
        measure: count
        roles: [owner]

        """

    @Test func shippedConfigValidatesWithExitZero() throws {
        let result = try CLI.run(["validate"], in: CLI.packageRoot)
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("0 errors, 0 warnings in 7 files\n"))
    }

    @Test func errorsExitOneWithCaretUnderTheColumn() throws {
        let dir = try CLI.scratch(["cards/c1.yaml": card.replacingOccurrences(of: "roles: [owner]", with: "roles: [owner, ownr]")])
        let result = try CLI.run(["validate"], in: dir)
        #expect(result.status == 1)
        #expect(result.stdout == """
            cards/c1.yaml:6:16: error: unknown role 'ownr'; did you mean 'owner'?; roles are owner, operations, finance, marketing unless a profile declares more [unknown-role]
                roles: [owner, ownr]
                               ^
            1 error, 0 warnings in 1 file

            """)
    }

    @Test func missingPathExitsTwo() throws {
        let dir = try CLI.scratch([:])
        let result = try CLI.run(["validate", "nowhere"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr == "pulse validate: nowhere: no such file or folder\n")
    }

    @Test func noDefaultFoldersExitsTwo() throws {
        let dir = try CLI.scratch([:])
        let result = try CLI.run(["validate"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr.contains("no cards/ or profiles/ folder here"))
    }

    @Test func unreadableFileExitsTwo() throws {
        // A folder named like a YAML file cannot be read as one (and, unlike permissions, this
        // holds for root too).
        let dir = try CLI.scratch(["cards/c1.yaml": card, "cards/broken.yaml/inner.txt": "x"])
        let result = try CLI.run(["validate"], in: dir)
        #expect(result.status == 2)
        #expect(result.stderr == "pulse validate: cards/broken.yaml: is a folder, not a file\n")
    }

    @Test func warningsPassUnlessStrict() throws {
        let dir = try CLI.scratch(["cards/other.yaml": card])
        let relaxed = try CLI.run(["validate"], in: dir)
        #expect(relaxed.status == 0)
        #expect(relaxed.stdout.hasSuffix("0 errors, 1 warning in 1 file\n"))
        let strict = try CLI.run(["validate", "--strict"], in: dir)
        #expect(strict.status == 1)
    }

    @Test func jsonFormat() throws {
        let dir = try CLI.scratch(["cards/c1.yaml": card.replacingOccurrences(of: "from: listings", with: "from: listing")])
        let result = try CLI.run(["validate", "--format", "json", "cards"], in: dir)
        #expect(result.status == 1)
        let object = try #require(try JSONSerialization.jsonObject(with: Data(result.stdout.utf8)) as? [String: Any])
        let diagnostics = try #require(object["diagnostics"] as? [[String: Any]])
        #expect(diagnostics.count == 1)
        #expect(diagnostics.first?["file"] as? String == "cards/c1.yaml")
        #expect(diagnostics.first?["line"] as? Int == 4)
        #expect(diagnostics.first?["column"] as? Int == 7)
        #expect(diagnostics.first?["severity"] as? String == "error")
        #expect(diagnostics.first?["rule"] as? String == "invalid-value")
        let summary = try #require(object["summary"] as? [String: Int])
        #expect(summary == ["errors": 1, "warnings": 0, "files": 1])
    }

    @Test func githubFormat() throws {
        let dir = try CLI.scratch(["cards/c1.yaml": card.replacingOccurrences(of: "from: listings", with: "from: listing")])
        let result = try CLI.run(["validate", "--format", "github"], in: dir)
        #expect(result.status == 1)
        #expect(result.stdout == """
            ::error file=cards/c1.yaml,line=4,col=7,title=invalid-value::from must be one of listings, skus, audit_events, not 'listing'; did you mean 'listings'?
            1 error, 0 warnings in 1 file

            """)
    }

    @Test func badFormatIsAUsageError() throws {
        let result = try CLI.run(["validate", "--format", "xml"], in: CLI.packageRoot)
        #expect(result.status == 2)
    }

    @Test func singleFilePathAndYmlExtension() throws {
        let dir = try CLI.scratch(["cards/c1.yml": card, "cards/notes.txt": "not yaml"])
        let result = try CLI.run(["validate", "cards"], in: dir)
        #expect(result.status == 0)
        #expect(result.stdout.hasSuffix("in 1 file\n"))
        let single = try CLI.run(["validate", "cards/c1.yml"], in: dir)
        #expect(single.status == 0)
    }
}
