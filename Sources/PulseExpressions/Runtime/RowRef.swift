/// A table of rows stored column by column (listings, SKUs, stock records, audit events).
///
/// Rows are not objects: an expression sees one as a ``RowRef`` (the table and a row number), and
/// a field read goes straight to the table's column. Subclasses live with the model.
// @unchecked: a table is filled once by the loader and never changed after; subclasses only
// add immutable columns, so reading it from several threads is safe.
open class RowTable: @unchecked Sendable {
    /// The name of the rows' declared type (e.g. `listing`).
    public let celTypeName: String

    /// A table whose rows are of the declared type `celTypeName`.
    public init(celTypeName: String) {
        self.celTypeName = celTypeName
    }

    /// The value of field `index` (in the declared type's field order) of row `row`.
    open func field(_ row: Int, _ index: Int) -> Value { .null }

    /// Field `index` as a typed column, for evaluators that read many rows at once
    /// (``RowColumn/none`` when it is only readable row by row with ``field(_:_:)``).
    open func column(_ index: Int) -> RowColumn { .none }
}

/// A field of every row of a table, typed: what a vectorized evaluator reads instead of
/// asking for one ``Value`` at a time. Every case gives the same values ``RowTable/field(_:_:)`` does.
// @unchecked: its cases hold buffers of a finished table (immutable; see RowTable).
public enum RowColumn: @unchecked Sendable {
    /// Integers.
    case ints([Int64])
    /// Timestamps as seconds (`Int64.min` for null) and nanoseconds (empty when all are 0).
    case timestamps(seconds: [Int64], nanos: [Int32])
    /// Few distinct values, each row a code: the value is `values[code]`, or `missing` for 255.
    case codes8([UInt8], values: [Value], missing: Value)
    /// Few distinct values, each row a code: the value is `values[code]`, or `missing` for a negative code.
    case codes32([Int32], values: [Value], missing: Value)
    /// Not available as a column.
    case none
}

/// One row of a ``RowTable``, as an expression value.
///
/// It does not retain its table: copying a row value is then free of reference counting, which
/// the evaluator does several times per row and field. Whoever holds row values must keep the
/// tables alive (the snapshot; a card result holds its snapshot for the values in its worklist).
public struct RowRef: Sendable {
    /// The table the row is in.
    public unowned(unsafe) let table: RowTable
    /// Its position in the table.
    public let index: Int

    /// Row `index` of `table`.
    @inline(__always)
    public init(_ table: RowTable, _ index: Int) {
        self.table = table
        self.index = index
    }

    /// The value of field `field` (declared-type order).
    @inline(__always)
    public func field(_ field: Int) -> Value { table.field(index, field) }

    /// Whether both name the same row of the same table.
    public static func === (a: RowRef, b: RowRef) -> Bool { a.table === b.table && a.index == b.index }
}
