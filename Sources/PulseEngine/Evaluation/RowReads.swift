import PulseExpressions

/// What an expression reads of the row variables: each field read as `variable.field`, and
/// each use of a whole row (compared, passed on, listed). The filter planner and the field
/// selection both start from it.
struct RowReads {
    /// A field read: the variable's slot, the field's index and name.
    struct Field: Hashable {
        let slot: Int
        let index: Int
        let name: String
    }

    private(set) var fields: [Field] = []
    /// Slots of row variables used whole.
    private(set) var wholeRows: Set<Int> = []

    /// Whether anything of a row is read.
    var usesRow: Bool { !wholeRows.isEmpty || !fields.isEmpty }

    /// The reads of `node`, where `isRowSlot` tells the row variables' slots.
    init(_ node: CheckedExpr, isRowSlot: (Int) -> Bool) {
        collect(node, isRowSlot)
    }

    private mutating func collect(_ node: CheckedExpr, _ isRowSlot: (Int) -> Bool) {
        switch node.kind {
        case .literal: break
        case .variable(_, let slot):
            if isRowSlot(slot) { wholeRows.insert(slot) }
        case .field(let operand, let name, let index, _):
            if case .variable(_, let slot) = operand.kind, isRowSlot(slot) {
                guard let index else { wholeRows.insert(slot); return }
                let field = Field(slot: slot, index: index, name: name)
                if !fields.contains(field) { fields.append(field) }
            } else {
                collect(operand, isRowSlot)
            }
        case .list(let items): for item in items { collect(item, isRowSlot) }
        case .call(_, let arguments): for a in arguments { collect(a, isRowSlot) }
        case .comprehension(_, _, _, let range, let predicate, let transform):
            collect(range, isRowSlot)
            if let predicate { collect(predicate, isRowSlot) }
            if let transform { collect(transform, isRowSlot) }
        }
    }
}
