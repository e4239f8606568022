import Foundation
import PulseDiagnostics
import PulseYAML

/// Reads typed values out of YAML nodes, collecting a located diagnostic for every problem
/// instead of stopping at the first.
package final class NodeReader {
    package init() {}

    var diagnostics: [Diagnostic] = []

    func error(_ rule: Rule, _ message: String, at location: SourceLocation) {
        diagnostics.append(.error(rule, message, at: location))
    }

    func warning(_ rule: Rule, _ message: String, at location: SourceLocation) {
        diagnostics.append(.warning(rule, message, at: location))
    }

    /// The node's entries by key, after reporting unknown keys (with the nearest known one) and
    /// missing required keys. Nil, with an error, when the node is not a mapping.
    func fields(of node: YAMLNode, in context: String, known: [String], required: [String]) -> [String: YAMLPair]? {
        guard let pairs = node.mapping else {
            error(.wrongType, "\(context) must be a mapping of keys to values, not \(node.kindDescription)", at: node.location)
            return nil
        }
        var fields: [String: YAMLPair] = [:]
        var suggested = Set<String>()
        for pair in pairs {
            guard let key = pair.key.scalar?.value else {
                error(.wrongType, "keys in \(context) must be plain names, not \(pair.key.kindDescription)", at: pair.key.location)
                continue
            }
            if known.contains(key) {
                fields[key] = pair
            } else {
                let suggestion = Suggestion.nearest(to: key, in: known)
                if let suggestion { suggested.insert(suggestion) }
                error(.unknownKey, "unknown key '\(key)' in \(context)"
                      + (suggestion.map { "; did you mean '\($0)'?" } ?? "; known keys: " + known.joined(separator: ", ")),
                      at: pair.key.location)
            }
        }
        // A misspelt required key is reported once, as the misspelling.
        for key in required where fields[key] == nil && !suggested.contains(key) {
            error(.missingKey, "\(context) is missing the required key '\(key)'", at: node.location)
        }
        return fields
    }

    /// A non-null scalar as text.
    func string(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let scalar = node.scalar, !scalar.isNull else {
            error(.wrongType, "\(what) must be a string, not \(node.kindDescription)", at: node.location)
            return nil
        }
        return Located(scalar.value, at: node.location)
    }

    /// A non-empty string.
    func nonEmptyString(_ node: YAMLNode, _ what: String) -> Located<String>? {
        guard let s = string(node, what) else { return nil }
        if s.value.trimmed(of: " \t\n\r").isEmpty {
            error(.emptyValue, "\(what) must not be empty", at: node.location)
            return nil
        }
        return s
    }

    /// One of an enum's raw values, else an error listing them (with a suggestion).
    func choice<T: RawRepresentable & CaseIterable>(_ node: YAMLNode, _ what: String, as type: T.Type) -> T?
        where T.RawValue == String {
        guard let s = string(node, what) else { return nil }
        if let value = T(rawValue: s.value) { return value }
        let options = T.allCases.map(\.rawValue)
        error(.invalidValue, "\(what) must be one of \(options.joined(separator: ", ")), not '\(s.value)'"
              + Suggestion.didYouMean(s.value, in: options), at: node.location)
        return nil
    }

    /// `true` or `false`, unquoted.
    func bool(_ node: YAMLNode, _ what: String) -> Located<Bool>? {
        if let scalar = node.scalar, scalar.style == .plain {
            switch scalar.value {
            case "true", "True", "TRUE": return Located(true, at: node.location)
            case "false", "False", "FALSE": return Located(false, at: node.location)
            default: break
            }
        }
        error(.wrongType, "\(what) must be true or false, not \(node.kindDescription)", at: node.location)
        return nil
    }

    /// A whole number, unquoted.
    func int(_ node: YAMLNode, _ what: String) -> Int? {
        if let scalar = node.scalar, scalar.style == .plain, let value = Int(scalar.value) { return value }
        error(.wrongType, "\(what) must be a whole number, not \(node.kindDescription)", at: node.location)
        return nil
    }

    /// A number, unquoted.
    func double(_ node: YAMLNode, _ what: String) -> Double? {
        if let scalar = node.scalar, scalar.style == .plain,
           scalar.value.range(of: #"^[-+]?([0-9]+(\.[0-9]*)?|\.[0-9]+)([eE][-+]?[0-9]+)?$"#, options: .regularExpression) != nil,
           let value = Double(scalar.value) {
            return value
        }
        error(.wrongType, "\(what) must be a number, not \(node.kindDescription)", at: node.location)
        return nil
    }

    /// `24h`, `7d`, `90m`, …
    func duration(_ node: YAMLNode, _ what: String) -> Located<ConfigDuration>? {
        guard let s = string(node, what) else { return nil }
        guard let d = ConfigDuration(parsing: s.value) else {
            error(.badDuration, "\(what) must be a duration such as 90m, 24h, 7d or 1d12h, at most \(ConfigDuration.maxDescription), not '\(s.value)'", at: node.location)
            return nil
        }
        return Located(d, at: node.location)
    }

    /// A list of strings; a single string where a list belongs is an error that shows the fix.
    func stringList(_ node: YAMLNode, _ what: String) -> [Located<String>]? {
        guard let items = node.sequence else {
            if let scalar = node.scalar, !scalar.isNull {
                error(.wrongType, "\(what) must be a list; write [\(scalar.value)]", at: node.location)
            } else {
                error(.wrongType, "\(what) must be a list, not \(node.kindDescription)", at: node.location)
            }
            return nil
        }
        var out: [Located<String>] = []
        for item in items {
            if let s = string(item, "each item of \(what)") { out.append(s) }
        }
        return out
    }

    /// A trigger such as `> 0`.
    func trigger(_ node: YAMLNode, _ what: String) -> Located<Trigger>? {
        guard let scalar = node.scalar, !scalar.isNull else {
            error(.badTrigger, "\(what) must be a comparison such as \"> 0\", \">= 5\" or \"< 90\", not \(node.kindDescription)",
                  at: node.location)
            return nil
        }
        guard let trigger = Trigger(parsing: scalar.value) else {
            // `alert: >5` is a YAML folded block (`>` and an indentation of 5), whose value is empty.
            let block = scalar.style == .folded || scalar.style == .literal
            error(.badTrigger, "\(what) must be a comparison (>, >=, <, <=, ==, !=) and a number, such as \"> 0\" or \"< 90\", not '\(scalar.value)'"
                  + (block ? "; a bare > or | starts a YAML block: quote the trigger, as alert: \"> 5\"" : ""),
                  at: node.location)
            return nil
        }
        return Located(trigger, at: node.location)
    }

    /// An alert: a trigger string (`"> 0"`, the critical level), or a mapping with `when` (or its
    /// other name `critical`), `warn`, `for` and `spike: {baseline, factor, min, severity}`; at
    /// least one of the comparisons or the spike.
    func alertRule(_ node: YAMLNode) -> AlertRule? {
        if node.scalar != nil {
            return trigger(node, "alert").map { AlertRule(trigger: $0.value, at: node.location) }
        }
        guard let f = fields(of: node, in: "alert", known: ["when", "critical", "warn", "for", "spike"], required: []) else { return nil }
        // Both names of the critical level: said, and the rest of the alert is still checked.
        let bothNames = f["when"] != nil && f["critical"] != nil
        if bothNames, let when = f["when"] {
            error(.alertLevels, "alert has both when and critical, which are the same level (critical); keep one",
                  at: when.key.location)
        }
        let criticalKey = f["when"] != nil ? "when" : "critical"
        let critical = f[criticalKey].flatMap { trigger($0.value, "alert.\(criticalKey)") }
        let warn = f["warn"].flatMap { trigger($0.value, "alert.warn") }
        var holdFor = 1
        if let p = f["for"] {
            if let n = int(p.value, "alert.for") {
                if n < 1 { error(.badTrigger, "alert.for counts evaluations and must be 1 or more, not \(n)", at: p.value.location) } else { holdFor = n }
            }
        }
        var spike: SpikeRule?
        if let p = f["spike"], let g = fields(of: p.value, in: "alert.spike", known: ["baseline", "factor", "min", "severity"], required: ["baseline", "factor"]) {
            let baseline = g["baseline"].flatMap { duration($0.value, "alert.spike.baseline") }
            let factor = g["factor"].flatMap { double($0.value, "alert.spike.factor") }
            let minimum = g["min"].flatMap { double($0.value, "alert.spike.min") } ?? 0
            let severity = g["severity"].map { choice($0.value, "alert.spike.severity", as: AlertSeverity.self) }
            if let factor, factor <= 0 { error(.badTrigger, "alert.spike.factor must be more than 0", at: g["factor"]?.value.location ?? p.value.location) }
            if let baseline, let factor, factor > 0, severity != .some(nil) {
                spike = SpikeRule(baseline: baseline.value, factor: factor, min: minimum, severity: (severity ?? nil) ?? .critical)
            }
        }
        if f[criticalKey] == nil && f["warn"] == nil && f["spike"] == nil {
            error(.badTrigger, "alert needs when (or critical: a comparison such as \"> 25\"), warn, spike, or several of them", at: node.location)
            return nil
        }
        if bothNames || (f[criticalKey] != nil && critical == nil) || (f["warn"] != nil && warn == nil) || (f["spike"] != nil && spike == nil) { return nil }
        if let critical, let warn, critical.value.includes(warn.value) {
            let direction: String
            switch critical.value.op {
            case .greater, .greaterOrEqual: direction = "; with \(critical.value.op.rawValue), warn's threshold must be below critical's (warn: \"\(critical.value.op.rawValue) 0\", critical: \"\(critical.value.op.rawValue) 25\")"
            case .less, .lessOrEqual: direction = "; with \(critical.value.op.rawValue), warn's threshold must be above critical's (warn: \"\(critical.value.op.rawValue) 95\", critical: \"\(critical.value.op.rawValue) 80\")"
            default: direction = ""
            }
            error(.alertLevels, "alert.warn \(warn.value) would never show: every value it catches is already critical (\(critical.value))" + direction,
                  at: warn.location)
            return nil
        }
        return AlertRule(trigger: critical?.value, warn: warn?.value, holdFor: holdFor, spike: spike, at: node.location)
    }

    /// A `stale_after`: a duration longer than 0s.
    func staleAfter(_ node: YAMLNode, _ what: String) -> Located<ConfigDuration>? {
        guard let d = duration(node, what) else { return nil }
        guard d.value.seconds > 0 else {
            error(.badDuration, "\(what) must be longer than 0s (data is never younger than 0s, so every card would be stale); remove the key to never judge staleness",
                  at: node.location)
            return nil
        }
        return d
    }

    /// A percent written `5%` or `0.5%`, from 0% to 100%.
    func percent(_ node: YAMLNode, _ what: String) -> Located<Double>? {
        let text = node.scalar.flatMap { $0.isNull ? nil : $0.value } ?? ""
        if text.range(of: #"^[0-9]+(\.[0-9]+)?%$"#, options: .regularExpression) != nil, let value = Double(text.dropLast()), value <= 100 {
            return Located(value, at: node.location)
        }
        let hint = Double(text).map { n in
            n <= 1 ? "; if \(text) is a fraction, write \(Trigger.format((n * 100 * 1e6).rounded() / 1e6))%" : "; write \(text)%"
        } ?? ""
        error(.badPercent, "\(what) must be a percent from 0% to 100% such as 5% or 0.5%, not \(text.isEmpty ? node.kindDescription : "'\(text)'")" + hint,
              at: node.location)
        return nil
    }

    /// A value of a parameter's type.
    func paramValue(_ node: YAMLNode, type: ParamType, _ what: String) -> ParamValue? {
        let before = diagnostics.count
        let value: ParamValue?
        switch type {
        case .bool: value = bool(node, what).map { .bool($0.value) }
        case .int: value = int(node, what).map { .int($0) }
        case .double: value = double(node, what).map { .double($0) }
        case .string: value = string(node, what).map { .string($0.value) }
        case .duration: value = duration(node, what).map { .duration($0.value) }
        case .stringList: value = stringList(node, what).map { .stringList($0.map(\.value)) }
        }
        // Type mismatches of params have their own rule id.
        for i in before..<diagnostics.count where diagnostics[i].rule == .wrongType || diagnostics[i].rule == .badDuration {
            diagnostics[i].rule = .paramType
            diagnostics[i].message += " (the parameter is declared \(type.rawValue))"
        }
        return value
    }
}
