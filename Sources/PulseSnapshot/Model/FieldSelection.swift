/// Which fields of the model a load keeps: all of them, or only those some expression reads.
///
/// Every field of every row is still checked against the snapshot contract; a field left out is
/// simply not stored (its column stays empty), which saves the memory of, say, every title when
/// no card reads titles. Only fields whose absence nothing else depends on can be left out (see
/// ``droppable``); the rest are always kept.
public struct FieldSelection: Sendable, Equatable {
    /// Kept fields, as "type.field" (e.g. "listing.title"); nil keeps everything.
    private let kept: Set<String>?

    /// Everything kept.
    public static let all = FieldSelection(kept: nil)

    private init(kept: Set<String>?) {
        self.kept = kept
    }

    /// Keeps the fields named "type.field" (plus every field that cannot be left out).
    public init(keeping fields: Set<String>) {
        kept = fields
    }

    /// This selection with `fields` ("type.field") kept too (`.all` stays `.all`).
    public func adding(_ fields: Set<String>) -> FieldSelection {
        kept.map { FieldSelection(kept: $0.union(fields)) } ?? self
    }

    /// The fields a load may leave out.
    public static let droppable: Set<String> = ModelTypes.droppable

    /// Whether `field` is kept.
    public func keeps(_ field: some ModelField) -> Bool {
        guard let kept else { return true }
        let name = field.qualifiedName
        return kept.contains(name) || !field.droppable
    }
}
