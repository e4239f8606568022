import Foundation
import PulseConfig
import PulseDiagnostics
import PulseExpressions
import Testing

/// The README's reference tables are derived from the schema tables in code; these fail when
/// one changes without the other.
@Suite struct SchemaDocsTests {
    /// Whether the README holds `table` word for word; if not, the table is written to
    /// `$TMPDIR/pulse-readme-NAME.md` to paste in.
    private func readmeHolds(_ table: String, name: String) throws -> Bool {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        if readme.contains(table) { return true }
        try Data(table.utf8).write(to: URL(fileURLWithPath: NSTemporaryDirectory() + "pulse-readme-\(name).md"))
        return false
    }

    @Test func theReadmesFunctionTableIsTheStandardLibrary() throws {
        #expect(try readmeHolds(StandardLibrary.readmeTable, name: "functions"), "README's function table must be StandardLibrary.readmeTable")
    }

    @Test func theReadmesOperatorTableIsTheStandardLibrary() throws {
        #expect(try readmeHolds(StandardLibrary.readmeOperatorTable, name: "operators"),
                "README's operator table must be StandardLibrary.readmeOperatorTable")
    }

    @Test func everyDeclaredOperatorOverloadTypeChecksAndRuns() throws {
        // Each overload an operator declares, applied to samples of its argument types, compiles
        // to its result type and runs: the checker and the compiler both find it in the table.
        let samples = ["string": "'1'", "int": "1", "double": "1.5", "bool": "true",
                       "timestamp": "timestamp('2026-01-01T00:00:00Z')", "duration": "duration('1h')"]
        for o in StandardLibrary.operators {
            for overload in o.overloads {
                let arguments = try overload.parameters.map { try #require(samples[$0.description], "a sample \($0)") }
                let text = arguments.count == 1 ? Operator.display(o.name) + arguments[0]
                    : "\(arguments[0]) \(Operator.display(o.name)) \(arguments[1])"
                let program = try Compiler.compile(text, environment: Environment())
                #expect(program.type == overload.result, "\(text)")
                _ = try program.evaluate(Activation(slotCount: program.slotCount))
            }
        }
    }

    @Test func everyDeclaredFunctionTypeChecksAndRuns() throws {
        // Each function, called in its own style with arguments of its first overload, compiles
        // and runs: the checker and the compiler both find it in the table.
        let samples = ["string": "'1'", "int": "1", "double": "1.5", "bool": "true", "list": "[1]",
                       "timestamp": "timestamp('2026-01-01T00:00:00Z')", "duration": "duration('1h')"]
        for f in StandardLibrary.functions {
            // A conversion's last overload takes no string ('1' is not a timestamp); the others' first is the usual one.
            let overload = f.style == .function ? f.overloads[f.overloads.count - 1] : f.overloads[0]
            let arguments = try overload.map { try #require(samples[$0.description], "a sample \($0)") }
            let text = f.style == .method ? "\(arguments[0]).\(f.name)(\(arguments.dropFirst().joined(separator: ", ")))"
                : "\(f.name)(\(arguments.joined(separator: ", ")))"
            let program = try Compiler.compile(text, environment: Environment())
            #expect(program.type == f.result, "\(text)")
            _ = try program.evaluate(Activation(slotCount: program.slotCount))
        }
    }
}

extension SchemaDocsTests {
    @Test func theReadmesRuleTableIsTheRuleEnum() throws {
        #expect(try readmeHolds(Rule.readmeTable, name: "rules"), "README's rule table must be Rule.readmeTable")
        #expect(Set(Rule.allCases.map(\.rawValue)).count == Rule.allCases.count)
    }
}

extension SchemaDocsTests {
    @Test func theReadmesSourcesTableIsTheSourceKeys() throws {
        #expect(try readmeHolds(ConnectorSources.readmeTable, name: "sources"), "README's sources table must be ConnectorSources.readmeTable")
    }
}

extension SchemaDocsTests {
    @Test func theReadmesKeyTablesAreTheKeyEnums() throws {
        #expect(try readmeHolds(CardKey.readmeTable, name: "card-keys"), "README's card key table must be CardKey.readmeTable")
        #expect(try readmeHolds(ProfileKey.readmeTable, name: "profile-keys"), "README's profile key table must be ProfileKey.readmeTable")
        #expect(try readmeHolds(TestFileKey.readmeTable, name: "test-file-keys"), "README's test file key table must be TestFileKey.readmeTable")
    }
}
