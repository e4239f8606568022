import Foundation

/// The output formats of a list of diagnostics.
public enum DiagnosticFormat: String, Sendable, CaseIterable {
    /// `path:line:col: severity: message [rule]`, the source line and a caret, then a summary.
    case text
    /// One JSON object: `{"diagnostics": [...], "summary": {...}}`.
    case json
    /// GitHub Actions workflow commands: `::error file=…,line=…,col=…::…`.
    case github
}

/// Counts for the closing line of a report.
public struct DiagnosticSummary: Sendable, Equatable {
    /// Number of errors.
    public var errors: Int
    /// Number of warnings.
    public var warnings: Int
    /// Number of files checked.
    public var files: Int

    /// Counts the diagnostics over `files` files.
    public init(_ diagnostics: [Diagnostic], files: Int) {
        errors = diagnostics.filter { $0.severity == .error }.count
        warnings = diagnostics.count - errors
        self.files = files
    }

    /// `3 errors, 1 warning in 12 files`.
    public var line: String {
        "\(plural(errors, "error")), \(plural(warnings, "warning")) in \(plural(files, "file"))"
    }

    private func plural(_ n: Int, _ word: String) -> String { "\(n) \(word)\(n == 1 ? "" : "s")" }
}

/// Renders diagnostics for people (text), programs (JSON) and CI (GitHub annotations).
public struct DiagnosticRenderer: Sendable {
    /// The text of each file, by path, used to quote the offending line under a finding.
    public var sources: [String: String]

    /// Creates a renderer that quotes lines from `sources`.
    public init(sources: [String: String] = [:]) {
        self.sources = sources
    }

    /// The whole report in `format`, ending with a newline.
    public func render(_ diagnostics: [Diagnostic], format: DiagnosticFormat, files: Int) -> String {
        let summary = DiagnosticSummary(diagnostics, files: files)
        switch format {
        case .text: return text(diagnostics, summary: summary)
        case .json: return json(diagnostics, summary: summary)
        case .github: return github(diagnostics, summary: summary)
        }
    }

    /// One finding as text: the headline, the quoted source line and a caret under the column.
    public func text(_ diagnostic: Diagnostic) -> String {
        var out = diagnostic.description + "\n"
        if diagnostic.quotesSource, let whole = sourceLine(diagnostic.location) {
            let (line, column) = SourceExcerpt.around(whole, column: diagnostic.location.column)
            out += "    " + line + "\n"
            out += "    " + caretPrefix(line, column: column) + "^\n"
        }
        return out
    }

    private func text(_ diagnostics: [Diagnostic], summary: DiagnosticSummary) -> String {
        diagnostics.map(text).joined() + summary.line + "\n"
    }

    /// One finding as a JSON object: `{"file", "line", "column", "severity", "rule", "message"}`.
    public static func jsonObject(_ d: Diagnostic) -> String {
        "{\"file\": \(JSONText.quote(d.location.file)), \"line\": \(d.location.line), "
            + "\"column\": \(d.location.column), \"severity\": \"\(d.severity.rawValue)\", "
            + "\"rule\": \(JSONText.quote(d.rule.rawValue)), \"message\": \(JSONText.quote(d.message))}"
    }

    private func json(_ diagnostics: [Diagnostic], summary: DiagnosticSummary) -> String {
        let items = diagnostics.map { "    " + DiagnosticRenderer.jsonObject($0) }
        let list = items.isEmpty ? "[]" : "[\n" + items.joined(separator: ",\n") + "\n  ]"
        return "{\n  \"diagnostics\": \(list),\n  \"summary\": {\"errors\": \(summary.errors), "
            + "\"warnings\": \(summary.warnings), \"files\": \(summary.files)}\n}\n"
    }

    private func github(_ diagnostics: [Diagnostic], summary: DiagnosticSummary) -> String {
        let lines = diagnostics.map { d in
            "::\(d.severity.rawValue) file=\(escapeProperty(d.location.file)),line=\(d.location.line),"
                + "col=\(d.location.column),title=\(escapeProperty(d.rule.rawValue))::\(escapeData(d.message))"
        }
        return (lines + [summary.line]).joined(separator: "\n") + "\n"
    }

    private func sourceLine(_ location: SourceLocation) -> String? {
        guard let text = sources[location.file], location.line >= 1 else { return nil }
        let lines = text.utf8.split(separator: UInt8(ascii: "\n"), omittingEmptySubsequences: false)
        guard location.line <= lines.count else { return nil }
        var line = lines[location.line - 1]
        if line.last == UInt8(ascii: "\r") { line = line.dropLast() }
        return String(decoding: line, as: UTF8.self)
    }

    /// Spaces (tabs kept as tabs) up to the column, so the caret lines up with the quoted line.
    private func caretPrefix(_ line: String, column: Int) -> String {
        var prefix = ""
        for (index, scalar) in line.unicodeScalars.enumerated() where index < column - 1 {
            prefix.append(scalar == "\t" ? "\t" : " ")
        }
        let missing = column - 1 - line.unicodeScalars.count
        if missing > 0 { prefix += String(repeating: " ", count: missing) }
        return prefix
    }

    private func escapeData(_ s: String) -> String {
        s.replacingOccurrences(of: "%", with: "%25")
            .replacingOccurrences(of: "\r", with: "%0D")
            .replacingOccurrences(of: "\n", with: "%0A")
    }

    private func escapeProperty(_ s: String) -> String {
        escapeData(s).replacingOccurrences(of: ":", with: "%3A").replacingOccurrences(of: ",", with: "%2C")
    }
}
