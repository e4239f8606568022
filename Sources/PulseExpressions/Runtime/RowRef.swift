/// A table of rows stored column by column (listings, SKUs, stock records, audit events).
///
/// Rows are not objects: an expression sees one as a ``RowRef`` (the table and a row number), and
/// a field read goes straight to the table's column. The tables are final classes of the model
/// (PulseSnapshot) whose stored properties are immutable and `Sendable`, so the compiler checks
/// that sharing one between threads is safe (no `@unchecked`, no subclass to break the promise).
public protocol RowTable: AnyObject, Sendable {
    /// The name of the rows' declared type (e.g. `listing`).
    var celTypeName: String { get }

    /// The value of field `index` (in the declared type's field order) of row `row`.
    func field(_ row: Int, _ index: Int) -> Value

    /// Field `index` as a typed column, for evaluators that read many rows at once
    /// (``RowColumn/none`` when it is only readable row by row with ``field(_:_:)``).
    func column(_ index: Int) -> RowColumn
}

/// A field of every row of a table, typed: what a vectorized evaluator reads instead of
/// asking for one ``Value`` at a time. Every case gives the same values ``RowTable/field(_:_:)`` does.
public enum RowColumn: Sendable {
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
/// It retains its table: a row value is safe to keep for as long as one likes (in a worklist
/// cell, in explain's output, after the snapshot itself is gone). The row number is kept in 32
/// bits, as every row column of the model keeps row numbers, so that a ``Value`` stays 24 bytes.
public struct RowRef: Sendable {
    /// The table the row is in.
    public let table: any RowTable
    private let row: UInt32

    /// Row `index` of `table` (`index` below 2³²: the tables' own join columns hold rows in 32 bits).
    @inline(__always)
    public init(_ table: any RowTable, _ index: Int) {
        precondition(index >= 0 && index <= Int(UInt32.max), "row \(index) does not fit a row reference")
        self.table = table
        row = UInt32(truncatingIfNeeded: index)
    }

    /// Its position in the table.
    @inline(__always)
    public var index: Int { Int(row) }

    /// The value of field `field` (declared-type order).
    @inline(__always)
    public func field(_ field: Int) -> Value { table.field(index, field) }

    /// Whether both name the same row of the same table.
    public static func === (a: RowRef, b: RowRef) -> Bool { a.table === b.table && a.row == b.row }
}
