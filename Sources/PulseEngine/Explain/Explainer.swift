import PulseConfig
import PulseExpressions
import PulseSnapshot

/// Why rows count: `pulse explain` runs the card's own plan with the observe decorator (compiled
/// with `observing: true`), and reports each sub-expression's value from the row's trace, or the
/// funnel of the `where` clauses.
public enum Explainer {
    /// One line of a `where` explanation: a sub-expression, its result and the fields it read.
    public struct Clause: Sendable {
        /// The sub-expression as CEL.
        public let text: String
        /// Nesting under `&&`/`||` (0 for the whole `where`).
        public let depth: Int
        /// `true`, `false`, a value, `error: …`, or `not evaluated` (short-circuited).
        public let result: String
        /// The fields and variables it read, with their values.
        public let reads: [(name: String, value: String)]
    }

    /// What happened to one row and why.
    public struct RowExplanation: Sendable {
        /// Which row (`listing L1, sku A1 (listings.jsonl:12)`).
        public let row: String
        /// `counted`, `excluded` or `error`.
        public let outcome: String
        /// A sentence in the card's own terms.
        public let summary: String
        /// The `where` clauses, outermost first.
        public let clauses: [Clause]
        /// What it gave the measure (counted rows).
        public let contribution: String?
        /// Its breakdown label.
        public let label: String?
        /// Its worklist row, if it made the worklist.
        public let worklist: [(column: String, value: Value)]?
    }

    /// How many rows each top-level `&&` clause of `where` removed, in order.
    public struct Funnel: Sendable {
        public struct Step: Sendable {
            public let clause: String
            public let removed: Int
            public let left: Int
        }
        /// The row source.
        public let source: String
        /// Rows in the source.
        public let rows: Int
        /// One step per top-level clause.
        public let steps: [Step]
        /// Rows whose evaluation failed (left out of the value).
        public let errored: Int
        /// Rows left after `where` and errors.
        public let counted: Int
        /// How the measure turns the counted rows into the value.
        public let measure: String
        /// The card's value.
        public let value: Double?
    }

    /// The explanation of every row of listing `listingID` (narrowed to `skuCode`), or nil
    /// when the card has no such row.
    public static func explainRows(_ compiled: CompiledCard, settings: CardSettings, evaluator: CardEvaluator,
                                   listingID: String, skuCode: String?) -> [RowExplanation] {
        let observer = RowObserver(compiled: compiled, settings: settings, listingID: listingID, skuCode: skuCode)
        _ = evaluator.evaluate(compiled, settings: settings, observer: observer)
        return observer.explanations
    }

    /// The funnel of `where` over the whole source, ending at the value.
    public static func funnel(_ compiled: CompiledCard, settings: CardSettings, evaluator: CardEvaluator) -> Funnel {
        let observer = FunnelObserver(compiled: compiled)
        let result = evaluator.evaluate(compiled, settings: settings, observer: observer)
        var left = observer.rows
        let steps = observer.clauses.enumerated().map { i, clause -> Funnel.Step in
            left -= observer.removed[i]
            return Funnel.Step(clause: ExpressionPrinter.text(clause), removed: observer.removed[i], left: left)
        }
        let argument = measureArgument(compiled), measure: String
        switch compiled.card.measure {
        case .count: measure = "count of the rows left"
        case .countDistinct: measure = "distinct values of \(argument) among the rows left"
        case .sum: measure = "sum of \(argument) over the rows left"
        case .percent:
            measure = "percent of the rows left where \(argument) holds (\(format(result.numerator)) of \(format(result.denominator)))"
        }
        return Funnel(source: compiled.card.from.rawValue, rows: observer.rows, steps: steps, errored: observer.errored,
                      counted: observer.counted, measure: measure, value: result.value)
    }

    /// The argument of the card's measure as CEL (empty for `count`).
    static func measureArgument(_ compiled: CompiledCard) -> String {
        compiled.measureArgument.map { ExpressionPrinter.text($0.program.checked) } ?? ""
    }

    /// A number as people read it: whole numbers without a fraction, nil as null.
    public static func format(_ d: Double?) -> String {
        guard let d else { return "null" }
        return d.rounded() == d && abs(d) < 1e15 ? String(Int64(d)) : String(d)
    }

    /// The top-level `&&` clauses of an expression, left to right.
    static func conjuncts(_ node: CheckedExpr) -> [CheckedExpr] {
        if case .call(Operator.and, let args) = node.kind { return args.flatMap(conjuncts) }
        return [node]
    }

    static func show(_ value: Value) -> String {
        switch value {
        case .row(let r):
            if let table = r.table as? ListingTable { return "<listing \(Listing(table: table, row: r.index).id)>" }
            if let table = r.table as? SKUTable { return "<sku \(SKUVariant(table: table, row: r.index).code)>" }
            if let table = r.table as? StockTable { return "<bc \(StockRecord(table: table, row: r.index).sku)>" }
            return "<\(r.table.celTypeName)>"
        case .object(let o):
            return "<\(o.celTypeName)>"
        case .duration(let d):
            return d.readable  // as eval's table shows it: 11d, not 950400s
        default:
            return ValueJSON().plain(value)
        }
    }

    /// A worklist cell as explain's text shows it: durations as eval's table does (`11d`, `3d 14h`),
    /// every other value as `plain` writes it.
    public static func text(_ value: Value, plain: (Value) -> String) -> String {
        if case .duration(let d) = value { return d.readable }
        return plain(value)
    }

    static func show(_ result: Result<Value, EvalError>?) -> String {
        switch result {
        case nil: return "not evaluated"
        case .success(let v)?: return show(v)
        case .failure(let e)?: return "error: \(e.message)"
        }
    }
}

/// Collects explanations for the rows of one listing.
private final class RowObserver: EvaluationObserver {
    let compiled: CompiledCard
    let settings: CardSettings
    let listingID: String
    let skuCode: String?
    var explanations: [Explainer.RowExplanation] = []

    init(compiled: CompiledCard, settings: CardSettings, listingID: String, skuCode: String?) {
        self.compiled = compiled
        self.settings = settings
        self.listingID = listingID
        self.skuCode = skuCode
    }

    func observe(_ row: RowContext, _ outcome: RowOutcome, trace: Trace) {
        guard row.listingID == listingID else { return }
        if let skuCode, row.sku?.code != skuCode { return }
        var clauses: [Explainer.Clause] = []
        var excludedBy: Explainer.Clause?
        var profileFields: [String] = []
        if let filter = compiled.filter {
            let program = filter.program
            clauses = lines(filter.program.checked, trace: trace, program: program, depth: 0)
            for clause in Explainer.conjuncts(filter.program.checked) where excludedBy == nil {
                if case .success(.bool(false))? = trace.result(clause.id, of: program) {
                    excludedBy = clauses.first { $0.text == ExpressionPrinter.text(clause) }
                    profileFields = profileReads(clause)
                }
            }
        }
        let description = describe(row)
        switch outcome {
        case .filteredOut:
            var summary = "where is false"
            if let excludedBy { summary += " at \(excludedBy.text)" }
            if !profileFields.isEmpty {
                summary += "; excluded by the profile's " + profileFields.joined(separator: ", ")
                if let sku = row.sku, profileFields.contains(where: { $0.hasSuffix("skus") }) { summary += " (\(sku.code) is listed there)" }
            }
            explanations.append(.init(row: description, outcome: "excluded", summary: summary, clauses: clauses,
                                      contribution: nil, label: nil, worklist: nil))
        case .errored(let part, let error):
            let at = part.expression.location(ofOffset: error.offset ?? 0)
            explanations.append(.init(row: description, outcome: "error",
                                      summary: "left out of the value: \(part.field) failed with \(error.message) (at \(at))",
                                      clauses: clauses, contribution: nil, label: nil, worklist: nil))
        case .counted(let contribution, let worklist):
            let e = Explainer.measureArgument(compiled), measure: String
            switch compiled.card.measure {
            case .count: measure = "+1 to the count"
            case .countDistinct: measure = "\(e) = \(Explainer.show(contribution.measured)) joins the distinct values"
            case .sum: measure = "+\(Explainer.show(contribution.measured)) (\(e)) to the sum"
            case .percent:
                measure = contribution.held ? "in the numerator and the denominator (\(e) holds)"
                    : "in the denominator only (\(e) does not hold)"
            }
            var summary = "where is true; \(measure)"
            if worklist == nil && !compiled.columns.isEmpty { summary += "; not in the worklist (rows_where is false)" }
            explanations.append(.init(row: description, outcome: "counted", summary: summary, clauses: clauses,
                                      contribution: measure, label: contribution.label, worklist: worklist))
        }
    }

    private func describe(_ row: RowContext) -> String {
        if let event = row.event { return "event of listing \(event.listingID) at \(event.at) (audit_events.jsonl:\(event.line))" }
        if let listing = row.listing, let sku = row.sku { return "listing \(listing.id), sku \(sku.code) (listings.jsonl:\(listing.line))" }
        if let listing = row.listing { return "listing \(listing.id) (listings.jsonl:\(listing.line))" }
        return "row"
    }

    /// The `where` tree as lines: `&&`/`||` operands nested, every other node a leaf with its reads.
    private func lines(_ node: CheckedExpr, trace: Trace, program: Program, depth: Int) -> [Explainer.Clause] {
        let result = trace.result(node.id, of: program)
        let head = Explainer.Clause(text: ExpressionPrinter.text(node), depth: depth, result: Explainer.show(result),
                                    reads: result == nil ? [] : reads(node, trace: trace, program: program))
        if case .call(let function, _) = node.kind, function == Operator.and || function == Operator.or {
            let operands = flatten(node, function)
            return [Explainer.Clause(text: head.text, depth: depth, result: head.result, reads: [])]
                + operands.flatMap { lines($0, trace: trace, program: program, depth: depth + 1) }
        }
        return [head]
    }

    private func flatten(_ node: CheckedExpr, _ function: String) -> [CheckedExpr] {
        if case .call(let f, let args) = node.kind, f == function { return args.flatMap { flatten($0, function) } }
        return [node]
    }

    /// The field selections and variables a leaf reads (outside macro bodies), with values.
    private func reads(_ node: CheckedExpr, trace: Trace, program: Program) -> [(name: String, value: String)] {
        var out: [(String, String)] = []
        var seen = Set<String>()
        func walk(_ n: CheckedExpr) {
            switch n.kind {
            case .field(let operand, _, _, _):
                let text = ExpressionPrinter.text(n)
                if seen.insert(text).inserted { out.append((text, Explainer.show(trace.result(n.id, of: program)))) }
                if case .field = operand.kind { walk(operand) }
            case .variable("now", _):
                if seen.insert("now").inserted { out.append(("now", Explainer.show(trace.result(n.id, of: program)))) }
            case .variable(let name, _):
                if ["listing", "sku", "bc", "event"].contains(name), seen.insert(name).inserted,
                   case .success(.null)? = trace.result(n.id, of: program) {
                    out.append((name, "null"))
                }
            case .call(_, let args): args.forEach(walk)
            case .list(let items): items.forEach(walk)
            case .comprehension(_, _, _, let range, _, _): walk(range)
            case .literal: break
            }
        }
        walk(node)
        return out
    }

    private func profileReads(_ node: CheckedExpr) -> [String] {
        var out: [String] = []
        func walk(_ n: CheckedExpr) {
            switch n.kind {
            case .field(let operand, let name, _, _):
                if case .variable("profile", _) = operand.kind, !out.contains(name) { out.append(name) }
                walk(operand)
            case .call(_, let args): args.forEach(walk)
            case .list(let items): items.forEach(walk)
            case .comprehension(_, _, _, let range, let p, let t): walk(range); p.map(walk); t.map(walk)
            default: break
            }
        }
        walk(node)
        return out
    }
}

/// Counts, per top-level clause, the rows it removed.
private final class FunnelObserver: EvaluationObserver {
    let clauses: [CheckedExpr]
    let filter: Program?
    var removed: [Int]
    var rows = 0
    var errored = 0
    var counted = 0

    init(compiled: CompiledCard) {
        clauses = compiled.filter.map { Explainer.conjuncts($0.program.checked) } ?? []
        filter = compiled.filter?.program
        removed = Array(repeating: 0, count: clauses.count)
    }

    func observe(_ row: RowContext, _ outcome: RowOutcome, trace: Trace) {
        rows += 1
        switch outcome {
        case .counted: counted += 1
        case .errored: errored += 1
        case .filteredOut:
            guard let filter else { return }
            if let i = clauses.firstIndex(where: { if case .success(.bool(false))? = trace.result($0.id, of: filter) { return true } else { return false } }) {
                removed[i] += 1
            }
        }
    }
}
