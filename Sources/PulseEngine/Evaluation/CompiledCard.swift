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
    /// Whether the programs carry the observe decorator (they record into an activation's trace).
    public let observing: Bool

    /// Every compiled part, in evaluation order.
    public var parts: [Part] {
        [filter, groupBy, measureArgument, rowsWhere].compactMap { $0 } + columns.map(\.part)
    }

    /// Compiles every expression of `card`; on failure, returns a diagnostic per bad expression,
    /// located at the offending character in the YAML file.
    /// The programs are the planner's optimized plan; with `observing`, the observe decorator
    /// wraps every node so that a run with a ``Trace`` records each node's result (for
    /// `explain`), and without it the programs carry no wrappers at all.
    public static func compile(_ card: Card, observing: Bool = false) -> Result<CompiledCard, DiagnosticList> {
        let environment = CardEnvironment.make(for: card)
        var diagnostics: [Diagnostic] = []
        var slotCount = Slots.count
        var scope = 0

        func part(_ field: String, _ expression: PulseConfig.Expression?, expect: ((CELType) -> String?)? = nil) -> Part? {
            guard let expression else { return nil }
            scope += 1  // each part records under its own scope in a trace
            do {
                let program = try Compiler.compile(expression.text, environment: environment, observing: observing, traceScope: scope)
                if let problem = expect?(program.type) {
                    diagnostics.append(.error(.expressionType, "\(field): \(problem)", at: expression.location(ofOffset: program.checked.offset)))
                    return nil
                }
                slotCount = max(slotCount, program.slotCount)
                return Part(field: field, expression: expression, program: program)
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
                                     rowsWhere: rowsWhere, columns: columns, slotCount: slotCount, observing: observing))
    }
}
