import ArgumentParser
import PulseConfig
import PulseDiagnostics
import PulseEngine
import PulseExpressions
import PulseSnapshot

/// `pulse expr`: compiles and evaluates one expression and prints its value and type.
public enum ExprRunner {
    /// What to bind: a profile, a snapshot row, a card's params (the `expr` command's options,
    /// declared once).
    public struct Options: ParsableArguments, Sendable {
        @OptionGroup var folders: ConfigFolders

        @Option(help: "A profile name (looked up in --profiles) or path.")
        var profile: String?

        @Option(help: "A snapshot folder.")
        var snapshot: String?

        @OptionGroup var pick: RowAndMoment

        @Option(help: "A card whose params to bind (with the profile's overrides).")
        var card: String?

        /// Nothing bound.
        public init() {}

        var cardsDir: String { folders.cards }
        var profilesDir: String { folders.profiles }
        var row: String? { pick.row }
        var sku: String? { pick.sku }
        var now: CELTimestamp? { pick.moment.now }
    }

    /// Evaluates `text` with the bindings `options` asks for.
    public static func run(_ text: String, format: ExprFormat, options: Options) -> CommandOutput {
        if options.profile == nil && options.snapshot == nil && options.row == nil && options.card == nil && options.now == nil {
            return run(text, format: format)
        }
        let now = options.now
        var profile: ResolvedProfile?
        var card: Card?
        if options.profile != nil || options.card != nil {
            switch LoadedConfig.load(cardsDir: options.cardsDir, profilesDir: options.profilesDir, profile: options.profile, command: "pulse expr") {
            case .failure(let f): return f.output
            case .success(let config):
                profile = config.profile
                if let key = options.card {
                    guard let found = config.set.card(key) else {
                        return CommandFailure.usage("pulse expr: no card '\(key)'" + Suggestion.didYouMean(key, in: config.set.cards.map(\.key.value))).output
                    }
                    card = found
                }
            }
        }
        var snapshot: Snapshot?
        if let folder = options.snapshot {
            do { snapshot = try SnapshotLoader.load(folder: folder) } catch {
                return CommandFailure(message: "pulse expr: the snapshot breaks the format:\n\(error)\n", exitCode: ExitStatus.failure).output
            }
        }
        let binding: RowBinding
        do {
            binding = try RowBinding(profile: profile, snapshot: snapshot, now: now, listingID: options.row, skuCode: options.sku, card: card)
        } catch {
            return CommandFailure.usage("pulse expr: \(error)").output
        }
        return run(text, format: format, environment: binding.environment, bind: binding.bind)
    }

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
                let (line, column) = SourceExcerpt.around(text, column: max(0, offset) + 1)
                out += "    \(line)\n    " + String(repeating: " ", count: column - 1) + "^\n"
            }
            return CommandOutput(stderr: out, exitCode: ExitStatus.failure)
        }
    }
}
