import PulseExpressions
import PulseSnapshot

/// Which model fields compiled cards read, so that a load can leave the others out.
public enum FieldUse {
    /// The fields `cards` read, as a selection for ``SnapshotLoader/load(folder:fields:)``.
    /// A row used as a whole (compared, listed in a worklist) keeps all of its type's fields; a
    /// listing's `skus` keeps all of the SKU's.
    public static func selection(for cards: [CompiledCard]) -> FieldSelection {
        var fields = Set<String>()
        for card in cards {
            for part in card.parts { collect(part.program.checked, into: &fields) }
        }
        return FieldSelection(keeping: fields)
    }

    private static let typeOfSlot: [Int: ObjectType] = [
        Slots.listing: ModelTypes.listing, Slots.sku: ModelTypes.sku, Slots.bc: ModelTypes.bc, Slots.event: ModelTypes.event,
    ]

    private static func all(_ type: ObjectType, into fields: inout Set<String>) {
        for f in type.fields { fields.insert(type.name + "." + f.name) }
        if type.name == ModelTypes.listing.name { all(ModelTypes.sku, into: &fields) }
    }

    private static func collect(_ node: CheckedExpr, into fields: inout Set<String>) {
        switch node.kind {
        case .literal: break
        case .variable(_, let slot):
            if let type = typeOfSlot[slot] { all(type, into: &fields) }
        case .field(let operand, let name, let index, _):
            if case .variable(_, let slot) = operand.kind, let type = typeOfSlot[slot] {
                guard index != nil else { return all(type, into: &fields) }
                fields.insert(type.name + "." + name)
                if type.name == ModelTypes.listing.name && name == "skus" { all(ModelTypes.sku, into: &fields) }
            } else {
                collect(operand, into: &fields)
            }
        case .list(let items): for item in items { collect(item, into: &fields) }
        case .call(_, let arguments): for a in arguments { collect(a, into: &fields) }
        case .comprehension(_, _, _, let range, let predicate, let transform):
            collect(range, into: &fields)
            if let predicate { collect(predicate, into: &fields) }
            if let transform { collect(transform, into: &fields) }
        }
    }
}
