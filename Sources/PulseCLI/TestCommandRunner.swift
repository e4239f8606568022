import Foundation
import PulseConfig
import PulseDiagnostics
import PulseEngine

/// `pulse test`: runs card and profile test files.
public enum TestCommandRunner {
    /// Runs the test files at or under `paths` (default `tests`). Exit 0 when every case passes,
    /// 1 when one fails, 2 when a test file (or what it refers to) is invalid or `--run` matches
    /// no case.
    public static func run(paths: [String], run pattern: String?, format: TestFormat, cards: String, profiles: String) -> CommandOutput {
        var select: (String) -> Bool = { _ in true }
        if let pattern {
            guard let regex = try? NSRegularExpression(pattern: pattern) else {
                return CommandFailure.usage("pulse test: --run \(pattern) is not a valid regular expression").output
            }
            select = { regex.firstMatch(in: $0, range: NSRange($0.startIndex..., in: $0)) != nil }
        }
        let roots = paths.isEmpty ? [ConfigFiles.defaultTestFolder()] : paths
        let files: [String]
        do { files = try ConfigFiles.yamlFiles(under: roots) } catch {
            return CommandFailure.usage("pulse test: \(error)").output
        }
        if files.isEmpty { return CommandFailure.usage("pulse test: no .yaml test files under \(roots.joined(separator: ", "))").output }
        let runner = TestRunner(defaultCards: cards, defaultProfiles: profiles)
        var outcomes: [TestOutcome] = []
        var diagnostics: [Diagnostic] = []
        var sources: [String: String] = [:]
        for path in files {
            let bytes: [UInt8]
            do { bytes = try ConfigFiles.read(path) } catch { return CommandFailure.usage("pulse test: \(error)").output }
            let (file, found, text) = TestFile.load(file: path, bytes: bytes)
            sources[path] = text
            diagnostics += found.filter { $0.severity == .error }
            guard let file else { continue }
            switch runner.run(file, select: select) {
            case .failure(let list): diagnostics += list.diagnostics
            case .success(let o): outcomes += o
            }
        }
        if !diagnostics.isEmpty {
            for d in diagnostics where sources[d.location.file] == nil {
                if let text = try? String(contentsOfFile: d.location.file, encoding: .utf8) { sources[d.location.file] = text }
            }
            let report = DiagnosticRenderer(sources: sources).render(diagnostics.sortedForReport(), format: .text, files: files.count)
            var output = CommandOutput(stderr: "pulse test: the test files cannot run:\n" + report, exitCode: ExitStatus.cannotRun)
            output.diagnostics = diagnostics.sortedForReport()
            return output
        }
        if outcomes.isEmpty, let pattern {
            return CommandFailure.usage("pulse test: no test case matches --run \(pattern) in \(files.count) file\(files.count == 1 ? "" : "s")").output
        }
        let failed = outcomes.filter { !$0.passed }.count
        let text: String
        switch format {
        case .text: text = TestReport.text(outcomes)
        case .json: text = TestReport.json(outcomes)
        case .junit: text = TestReport.junit(outcomes)
        }
        return CommandOutput(stdout: text, exitCode: failed > 0 ? ExitStatus.failure : ExitStatus.ok)
    }
}

/// The three renderings of test outcomes.
enum TestReport {
    static func summary(_ outcomes: [TestOutcome]) -> String {
        let failed = outcomes.filter { !$0.passed }.count
        return "\(outcomes.count - failed) passed, \(failed) failed"
    }

    static func text(_ outcomes: [TestOutcome]) -> String {
        var out = ""
        for o in outcomes {
            out += "\(o.passed ? "PASS" : "FAIL") \(o.name)\n"
            for failure in o.failures { out += "    \(failure)\n" }
        }
        return out + summary(outcomes) + "\n"
    }

    static func json(_ outcomes: [TestOutcome]) -> String {
        let items = outcomes.map { o in
            "    {\"file\": \(JSONText.quote(o.file)), \"name\": \(JSONText.quote(o.name)), \"passed\": \(o.passed), "
                + "\"failures\": [\(o.failures.map(JSONText.quote).joined(separator: ", "))]}"
        }
        let failed = outcomes.filter { !$0.passed }.count
        return "{\n  \"tests\": [\n\(items.joined(separator: ",\n"))\n  ],\n  \"passed\": \(outcomes.count - failed),\n  \"failed\": \(failed)\n}\n"
    }

    /// `s` as XML text or an attribute value (control characters as JSON writes them).
    static func xml(_ s: String) -> String { JSONText.markup(s, apostrophe: "&apos;", escapingControls: true) }

    static func junit(_ outcomes: [TestOutcome]) -> String {
        var byFile: [(String, [TestOutcome])] = []
        for o in outcomes {
            if let i = byFile.firstIndex(where: { $0.0 == o.file }) { byFile[i].1.append(o) } else { byFile.append((o.file, [o])) }
        }
        let failed = outcomes.filter { !$0.passed }.count
        var out = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"
        out += "<testsuites name=\"pulse test\" tests=\"\(outcomes.count)\" failures=\"\(failed)\" errors=\"0\">\n"
        for (file, cases) in byFile {
            let f = cases.filter { !$0.passed }.count
            let time = String(format: "%.3f", cases.reduce(0) { $0 + $1.seconds })
            out += "  <testsuite name=\"\(xml(file))\" tests=\"\(cases.count)\" failures=\"\(f)\" errors=\"0\" time=\"\(time)\">\n"
            for c in cases {
                let attrs = "classname=\"\(xml(file))\" name=\"\(xml(c.name))\" time=\"\(String(format: "%.3f", c.seconds))\""
                if c.passed {
                    out += "    <testcase \(attrs)/>\n"
                } else {
                    out += "    <testcase \(attrs)>\n"
                    out += "      <failure message=\"\(xml(c.failures.first ?? ""))\">\(xml(c.failures.joined(separator: "\n")))</failure>\n"
                    out += "    </testcase>\n"
                }
            }
            out += "  </testsuite>\n"
        }
        return out + "</testsuites>\n"
    }
}
