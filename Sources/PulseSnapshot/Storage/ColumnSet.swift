/// A column of a table's storage as the loader builds it: sized once, filled batch by batch
/// (each worker's batch appended to the table's columns in line order), emptied for reuse.
protocol StoredColumn {
    /// Room for about `rows` rows of about `bytesPerRow` bytes; when not `kept` (a field the load
    /// leaves out), rows are only counted.
    init(rows: Int, bytesPerRow: Int, kept: Bool)
    /// Empties the column, keeping its storage for reuse.
    mutating func reset()
    /// Appends every row of `other`.
    mutating func append(rowsOf other: Self)
    /// Bytes held, for memory accounting.
    var byteCount: Int { get }
}

/// One column of a set of columns (``ColumnSet``), listed once with what sizing it needs: the
/// operations over every column (sizing, emptying, appending a batch, counting bytes) go
/// through this list, so a column is declared in its set's list and nowhere else.
struct ColumnSlot<Columns>: Sendable {
    fileprivate let prepare: @Sendable (inout Columns, Int, FieldSelection) -> Void
    fileprivate let reset: @Sendable (inout Columns) -> Void
    fileprivate let append: @Sendable (inout Columns, Columns) -> Void
    fileprivate let byteCount: @Sendable (Columns) -> Int

    /// The column at `path` holding `field` (kept or left out as the load's ``FieldSelection``
    /// says), about `bytesPerRow` bytes a row.
    init<C: StoredColumn>(_ path: WritableKeyPath<Columns, C> & Sendable, _ field: some ModelField, bytesPerRow: Int = 0) {
        self.init(path, bytesPerRow: bytesPerRow) { $0.keeps(field) }
    }

    /// The column at `path`, which every load keeps (row links, line numbers).
    init<C: StoredColumn>(_ path: WritableKeyPath<Columns, C> & Sendable) {
        self.init(path, bytesPerRow: 0) { _ in true }
    }

    private init<C: StoredColumn>(_ path: WritableKeyPath<Columns, C> & Sendable, bytesPerRow: Int,
                                  kept: @escaping @Sendable (FieldSelection) -> Bool) {
        prepare = { columns, rows, fields in columns[keyPath: path] = C(rows: rows, bytesPerRow: bytesPerRow, kept: kept(fields)) }
        reset = { $0[keyPath: path].reset() }
        append = { columns, other in columns[keyPath: path].append(rowsOf: other[keyPath: path]) }
        byteCount = { $0[keyPath: path].byteCount }
    }
}

/// A table's columns, each listed once in ``slots``.
protocol ColumnSet: Sendable {
    /// Every column, with its sizing.
    static var slots: [ColumnSlot<Self>] { get }
    /// Empty columns.
    init()
}

extension ColumnSet {
    /// Room for about `rows` rows in every column, storing the `fields` selected.
    init(rows: Int, fields: FieldSelection) {
        self.init()
        for slot in Self.slots { slot.prepare(&self, rows, fields) }
    }

    /// Empties every column of the list, keeping storage for reuse.
    mutating func resetSlots() {
        for slot in Self.slots { slot.reset(&self) }
    }

    /// Appends the rows of every column of the list in `other`.
    mutating func appendSlots(of other: Self) {
        for slot in Self.slots { slot.append(&self, other) }
    }

    /// Bytes the columns of the list hold.
    var slotBytes: Int { Self.slots.reduce(0) { $0 + $1.byteCount(self) } }
}

extension Array: StoredColumn where Element: FixedWidthInteger {
    init(rows: Int, bytesPerRow: Int, kept: Bool) {
        self.init()
        reserveCapacity(rows)
    }

    mutating func reset() { removeAll(keepingCapacity: true) }
    mutating func append(rowsOf other: [Element]) { append(contentsOf: other) }
    var byteCount: Int { count * MemoryLayout<Element>.stride }
}

extension StringColumn: StoredColumn {
    mutating func reset() { removeAll() }
    mutating func append(rowsOf other: StringColumn) { append(contentsOf: other) }
}

extension TimestampColumn: StoredColumn {
    init(rows: Int, bytesPerRow: Int, kept: Bool) { self.init(capacity: rows, kept: kept) }
    mutating func reset() { removeAll() }
    mutating func append(rowsOf other: TimestampColumn) { append(contentsOf: other) }
}

extension LineNumbers: StoredColumn {
    init(rows: Int, bytesPerRow: Int, kept: Bool) { self.init() }
    mutating func reset() { removeAll() }
    mutating func append(rowsOf other: LineNumbers) { append(contentsOf: other) }
}
