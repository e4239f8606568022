import PulseDiagnostics
import PulseExpressions

/// Output formats of `pulse expr`.
public enum ExprFormat: String, Sendable, CaseIterable {
    case text, json
}

/// `pulse expr`: compiles and evaluates one expression and prints its value and type.
public enum ExprRunner {
    /// Evaluates `text` against `environment` with `activation` (defaults: no variables).
    ///
    /// - Returns: exit 0 with the value, 1 with a parse, check or evaluation error.
    public static func run(_ text: String, format: ExprFormat, environment: Environment = Environment(),
                           bind: (Activation) -> Void = { _ in }) -> CommandOutput {
        let encoder = ValueJSON(objectTypes: environment.objectTypes)
        let program: Program
        do {
            program = try Compiler.compile(text, environment: environment)
        } catch {
            let kind: String
            switch error {
            case .parse: kind = "parse"
            case .check: kind = "check"
            }
            return failure(text, kind: kind, message: error.message, offset: error.offset, format: format)
        }
        let activation = Activation(slotCount: program.slotCount)
        bind(activation)
        do {
            let value = try program.evaluate(activation)
            switch format {
            case .json:
                return CommandOutput(stdout: "{\"value\": \(encoder.typedValue(value)), \"type\": \"\(value.shortTypeName)\"}\n")
            case .text:
                return CommandOutput(stdout: "\(encoder.plain(value)) (\(program.type.isDynamicType ? value.shortTypeName : program.type.description))\n")
            }
        } catch {
            return failure(text, kind: "eval", message: error.message, offset: error.offset, format: format)
        }
    }

    private static func failure(_ text: String, kind: String, message: String, offset: Int?, format: ExprFormat) -> CommandOutput {
        switch format {
        case .json:
            return CommandOutput(stdout: "{\"error\": \(JSONText.quote(message)), \"kind\": \"\(kind)\"}\n", exitCode: ExitStatus.failure)
        case .text:
            var out = "\(kind) error: \(message)\n"
            if let offset, !text.contains("\n") {
                out += "    \(text)\n    " + String(repeating: " ", count: max(0, offset)) + "^\n"
            }
            return CommandOutput(stderr: out, exitCode: ExitStatus.failure)
        }
    }
}
