import PulseExpressions

/// Turns a checked condition into a ``RowFilter``: `&&`, `||` and `!` become filters of their
/// parts; a part that reads only coded fields is computed once per code combination; a
/// comparison of an integer or timestamp field with a value that does not depend on the row
/// reads the column directly; a null test of a row variable reads the join. Everything else runs
/// row by row through its compiled closure, so every expression is covered and means the same.
struct FilterPlanner {
    let space: RowSpace
    /// An activation with `now`, `profile` and `params` set (row variables null), for the
    /// parts that do not depend on the row.
    let activation: Activation

    /// What `node` reads of this source's row variables.
    func reads(_ node: CheckedExpr) -> RowReads {
        RowReads(node) { space.variable($0) != nil }
    }

    /// The value of a part that does not depend on the row (nil when it raises an error).
    func constant(_ node: CheckedExpr) -> Value? {
        try? Compiler.evaluator(for: node)(activation)
    }

    /// The code key of an expression that reads only coded fields of row variables.
    func codeKey(_ reads: RowReads) -> CodeKey? {
        guard reads.wholeRows.isEmpty, !reads.fields.isEmpty else { return nil }
        var fields: [(variable: RowSpace.Variable, index: Int)] = []
        for f in reads.fields {
            guard let v = space.variable(f.slot) else { return nil }
            fields.append((v, f.index))
        }
        return CodeKey(fields)
    }

    func plan(_ node: CheckedExpr) -> RowFilter {
        let r = reads(node)
        if !r.usesRow {
            if case .bool(let b)? = constant(node) { return ConstantFilter(b) }
            return ScalarFilter(Compiler.condition(for: node))
        }
        if let key = codeKey(r) { return MemoFilter(key: key, condition: Compiler.condition(for: node)) }
        if case .call(let function, let args) = node.kind {
            switch function {
            case Operator.and where args.count == 2: return AndFilter(conjuncts(node).map(plan))
            case Operator.or where args.count == 2: return OrFilter(disjuncts(node).map(plan))
            case Operator.not where args.count == 1: return NotFilter(plan(args[0]))
            default:
                if args.count == 2, let typed = comparison(function, args[0], args[1]) ?? comparison(function, args[1], args[0], flipped: true) {
                    return typed
                }
            }
        }
        return ScalarFilter(Compiler.condition(for: node))
    }

    private func conjuncts(_ node: CheckedExpr) -> [CheckedExpr] {
        if case .call(Operator.and, let args) = node.kind, args.count == 2 { return conjuncts(args[0]) + conjuncts(args[1]) }
        return [node]
    }

    private func disjuncts(_ node: CheckedExpr) -> [CheckedExpr] {
        if case .call(Operator.or, let args) = node.kind, args.count == 2 { return disjuncts(args[0]) + disjuncts(args[1]) }
        return [node]
    }

    /// `column <op> constant` (or `constant <op> column` with `flipped`), or a null test of a row variable.
    private func comparison(_ function: String, _ left: CheckedExpr, _ right: CheckedExpr, flipped: Bool = false) -> RowFilter? {
        guard let op = Comparison(function, flipped: flipped), !reads(right).usesRow else { return nil }
        switch left.kind {
        case .variable(_, let slot):
            guard op == .equal || op == .notEqual, case .literal(.null) = right.kind, let v = space.variable(slot) else { return nil }
            return NullFilter(map: v.map, wantsNull: op == .equal)
        case .field(let operand, _, let index?, false):
            guard case .variable(_, let slot) = operand.kind, let v = space.variable(slot), let constant = constant(right) else { return nil }
            switch (v.table.column(index), constant) {
            case (.ints(let column), .int(let c)):
                return IntFilter(map: v.map, column: column, comparison: op, constant: c)
            case (.timestamps(let seconds, let nanos), .timestamp(let t)):
                return TimestampFilter(map: v.map, seconds: seconds, nanos: nanos, comparison: op, constant: t)
            default:
                return nil
            }
        default:
            return nil
        }
    }
}
