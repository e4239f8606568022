import PulseConfig
import PulseDiagnostics
import PulseExpressions

/// A card whose expressions are compiled against its environment, ready to run over a snapshot.
public struct CompiledCard: Sendable {
    /// A compiled expression and the card field it came from (`where`, `rows.listing`, …).
    public struct Part: Sendable {
        public let field: String
        public let expression: PulseConfig.Expression
        public let program: Program
        /// Where the program records node results, when compiled for tracing.
        public let trace: Trace?
    }

    /// The card as written.
    public let card: Card
    /// `where`, if any.
    public let filter: Part?
    /// The argument of `measure`, if any.
    public let measureArgument: Part?
    /// `group_by`, if any.
    public let groupBy: Part?
    /// `rows_where`, if any.
    public let rowsWhere: Part?
    /// The worklist columns, in order.
    public let columns: [(name: String, part: Part)]
    /// Activation slots the programs need.
    public let slotCount: Int

    /// Every compiled part, in evaluation order.
    public var parts: [Part] {
        [filter, groupBy, measureArgument, rowsWhere].compactMap { $0 } + columns.map(\.part)
    }

    /// Clears the traces of a tracing compile (before each row).
    public func resetTraces() {
        for part in parts { part.trace?.reset() }
    }

    /// Compiles every expression of `card`; on failure, returns a diagnostic per bad expression,
    /// located at the offending character in the YAML file.
    /// With `tracing`, every expression records each node's result in its part's ``Part/trace``
    /// (for `explain`); without it the programs carry no tracing code at all.
    public static func compile(_ card: Card, tracing: Bool = false) -> Result<CompiledCard, DiagnosticList> {
        let environment = CardEnvironment.make(for: card)
        var diagnostics: [Diagnostic] = []
        var slotCount = Slots.count

        func part(_ field: String, _ expression: PulseConfig.Expression?, expect: ((CELType) -> String?)? = nil) -> Part? {
            guard let expression else { return nil }
            let trace = tracing ? Trace() : nil
            do {
                let program = try Compiler.compile(expression.text, environment: environment, trace: trace)
                if let problem = expect?(program.type) {
                    diagnostics.append(.error(.expressionType, "\(field): \(problem)", at: expression.location(ofOffset: program.checked.offset)))
                    return nil
                }
                slotCount = max(slotCount, program.slotCount)
                return Part(field: field, expression: expression, program: program, trace: trace)
            } catch {
                let rule: Rule = { if case .parse = error { return .expressionSyntax } else { return .expressionType } }()
                diagnostics.append(.error(rule, "\(field): \(error.message)", at: expression.location(ofOffset: error.offset)))
                return nil
            }
        }
        let isBool: (CELType) -> String? = { t in
            t.unwrapped == .bool || t == .dyn ? nil : "must be a condition (bool), but it is \(t)"
        }
        let filter = part("where", card.filter, expect: isBool)
        var measureArgument: Part?
        switch card.measure {
        case .count: break
        case .countDistinct(let e): measureArgument = part("measure", e)
        case .sum(let e):
            measureArgument = part("measure", e) { t in
                [.int, .double, .dyn].contains(t.unwrapped) ? nil : "sum() needs a number (int or double), but this is \(t)"
            }
        case .percent(let e): measureArgument = part("measure", e, expect: isBool)
        }
        let groupBy = part("group_by", card.groupBy)
        let rowsWhere = part("rows_where", card.rowsWhere, expect: isBool)
        var columns: [(String, Part)] = []
        for column in card.rows {
            if let p = part("rows.\(column.name.value)", column.expression) { columns.append((column.name.value, p)) }
        }
        guard diagnostics.isEmpty else { return .failure(DiagnosticList(diagnostics)) }
        return .success(CompiledCard(card: card, filter: filter, measureArgument: measureArgument, groupBy: groupBy,
                                     rowsWhere: rowsWhere, columns: columns, slotCount: slotCount))
    }
}

/// The `validate` hook: type-checks every expression of a card.
public enum ExpressionLint {
    /// Diagnostics for `card`'s expressions (none when they all compile).
    public static func check(_ card: Card) -> [Diagnostic] {
        switch CompiledCard.compile(card) {
        case .success(let compiled):
            return CostCheck.diagnostics(compiled, params: card.params.map { ParamsObject.value($0.defaultValue) }, profile: nil)
        case .failure(let list): return list.diagnostics
        }
    }

    /// A linter that also checks expressions.
    public static var linter: Linter { Linter(expressionCheck: check) }
}
