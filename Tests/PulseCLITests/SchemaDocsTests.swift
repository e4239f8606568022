import Foundation
import PulseDiagnostics
import PulseExpressions
import Testing

/// The README's reference tables are derived from the schema tables in code; these fail when
/// one changes without the other.
@Suite struct SchemaDocsTests {
    @Test func theReadmesFunctionTableIsTheStandardLibrary() throws {
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let table = StandardLibrary.readmeTable
        if !readme.contains(table) {
            try Data(table.utf8).write(to: URL(fileURLWithPath: NSTemporaryDirectory() + "pulse-readme-functions.md"))
        }
        #expect(readme.contains(table), "README's function table must be StandardLibrary.readmeTable (written to $TMPDIR/pulse-readme-functions.md)")
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
        let readme = try String(contentsOf: CLI.packageRoot.appendingPathComponent("README.md"), encoding: .utf8)
        let table = Rule.readmeTable
        if !readme.contains(table) {
            try Data(table.utf8).write(to: URL(fileURLWithPath: NSTemporaryDirectory() + "pulse-readme-rules.md"))
        }
        #expect(readme.contains(table), "README's rule table must be Rule.readmeTable (written to $TMPDIR/pulse-readme-rules.md)")
        #expect(Set(Rule.allCases.map(\.rawValue)).count == Rule.allCases.count)
    }
}
