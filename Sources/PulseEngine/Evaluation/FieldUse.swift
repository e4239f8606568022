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

    /// The optional snapshot files `card` reads: its row source, the `bc` join, and the files
    /// behind derived listing fields. A card whose file is missing has no data.
    public static func files(for card: CompiledCard) -> Set<SnapshotFile> {
        var files = Set<SnapshotFile>()
        if card.card.from == .auditEvents { files.insert(.auditEvents) }
        for part in card.parts {
            let reads = RowReads(part.program.checked) { typeOfSlot[$0] != nil }
            if reads.wholeRows.contains(Slots.bc) || reads.fields.contains(where: { $0.slot == Slots.bc }) { files.insert(.stock) }
            let listingFields = Set(reads.fields.filter { $0.slot == Slots.listing }.map(\.name))
            let wholeListing = reads.wholeRows.contains(Slots.listing)
            for field in ListingField.allCases {
                if let file = field.derivedFrom, wholeListing || listingFields.contains(field.name) { files.insert(file) }
            }
        }
        return files
    }

    private static let typeOfSlot: [Int: ObjectType] = [
        Slots.listing: ModelTypes.listing, Slots.sku: ModelTypes.sku, Slots.bc: ModelTypes.bc, Slots.event: ModelTypes.event,
    ]

    private static func all(_ type: ObjectType, into fields: inout Set<String>) {
        for f in type.fields { fields.insert(type.name + "." + f.name) }
        if type.name == ModelTypes.listing.name { all(ModelTypes.sku, into: &fields) }
    }

    private static func collect(_ node: CheckedExpr, into fields: inout Set<String>) {
        let reads = RowReads(node) { typeOfSlot[$0] != nil }
        for slot in reads.wholeRows { if let type = typeOfSlot[slot] { all(type, into: &fields) } }
        for field in reads.fields {
            guard let type = typeOfSlot[field.slot] else { continue }
            fields.insert(type.name + "." + field.name)
            if type.name == ModelTypes.listing.name && field.name == ListingField.skus.name { all(ModelTypes.sku, into: &fields) }
        }
    }
}
