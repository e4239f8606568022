import PulseConfig
import ArgumentParser

/// The output formats of the commands that print results, each taken as an option value.

/// Output formats of `pulse eval`.
public enum EvalFormat: String, Sendable, CaseIterable {
    case table, json
}

/// Output formats of `pulse expr`.
public enum ExprFormat: String, Sendable, CaseIterable {
    case text, json
}

/// Output formats of `pulse test`.
public enum TestFormat: String, Sendable, CaseIterable {
    case text, json, junit
}

extension EvalFormat: ExpressibleByArgument {}
extension AlertSeverity: ExpressibleByArgument {}
extension ExprFormat: ExpressibleByArgument {}
extension TestFormat: ExpressibleByArgument {}
