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

    /// The code key of `node`, an expression that reads only coded fields of row variables (nil
    /// otherwise). A list field read only by membership tests of a fixed list's items is keyed by
    /// which of those items it holds.
    func codeKey(_ node: CheckedExpr) -> CodeKey? {
        let reads = reads(node)
        guard reads.wholeRows.isEmpty, !reads.fields.isEmpty else { return nil }
        var uses: [RowReads.Field: [Value]] = [:]
        var other = Set<RowReads.Field>()
        membership(node, bound: [:], uses: &uses, other: &other)
        var fields: [(variable: RowSpace.Variable, index: Int, universe: [Value]?)] = []
        for f in reads.fields {
            guard let v = space.variable(f.slot) else { return nil }
            fields.append((v, f.index, other.contains(f) ? nil : uses[f]))
        }
        return CodeKey(fields)
    }

    /// The row fields of `node` used as `u in FIELD`, where `u` is a macro's variable ranging
    /// over a list that does not depend on the row (the values it takes, per field), and those
    /// used any other way (`other`).
    private func membership(_ node: CheckedExpr, bound: [Int: [Value]], uses: inout [RowReads.Field: [Value]], other: inout Set<RowReads.Field>) {
        switch node.kind {
        case .literal, .variable: break
        case .field(let operand, let name, let index, _):
            if case .variable(_, let slot) = operand.kind, space.variable(slot) != nil, let index {
                other.insert(RowReads.Field(slot: slot, index: index, name: name))
            } else {
                membership(operand, bound: bound, uses: &uses, other: &other)
            }
        case .list(let items):
            for item in items { membership(item, bound: bound, uses: &uses, other: &other) }
        case .call(let function, let args):
            if function == Operator.in, args.count == 2, case .variable(_, let slot) = args[0].kind, let universe = bound[slot],
               case .field(let operand, let name, let index?, false) = args[1].kind,
               case .variable(_, let rowSlot) = operand.kind, space.variable(rowSlot) != nil {
                uses[RowReads.Field(slot: rowSlot, index: index, name: name), default: []].append(contentsOf: universe)
                return
            }
            for a in args { membership(a, bound: bound, uses: &uses, other: &other) }
        case .comprehension(_, _, let slot, let range, let predicate, let transform):
            membership(range, bound: bound, uses: &uses, other: &other)
            var inner = bound
            inner[slot] = nil
            if !reads(range).usesRow, case .list(let items)? = constant(range) { inner[slot] = items }
            if let predicate { membership(predicate, bound: inner, uses: &uses, other: &other) }
            if let transform { membership(transform, bound: inner, uses: &uses, other: &other) }
        }
    }

    func plan(_ node: CheckedExpr) -> RowFilter {
        let r = reads(node)
        if !r.usesRow {
            if case .bool(let b)? = constant(node) { return ConstantFilter(b) }
            return ScalarFilter(Compiler.condition(for: node))
        }
        if let key = codeKey(node) { return MemoFilter(key: key, condition: Compiler.condition(for: node)) }
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
