import Foundation

/// Many strings in one byte buffer: row `i` is `bytes[ends[i-1] ..< ends[i]]`, with no object
/// per string. Optional strings keep a bit per row for null.
struct StringColumn: Sendable {
    private var store = ByteStore()
    /// The end of each row's bytes (so row `i` starts where row `i - 1` ends).
    private(set) var ends: [UInt32] = []
    /// Rows that are null, a bit each (empty while none is).
    private var nulls: [UInt64] = []
    /// False for a field the load leaves out: rows are counted, nothing is stored, every row reads as null.
    private(set) var isKept = true
    private var droppedRows = 0

    init() {}

    /// Room for `rows` rows of about `bytesPerRow` bytes (none when the column is not `kept`).
    init(rows: Int, bytesPerRow: Int, kept: Bool = true) {
        isKept = kept
        guard kept else { return }
        ends.reserveCapacity(rows)
        store = ByteStore(capacity: rows * bytesPerRow)
    }

    var count: Int { isKept ? ends.count : droppedRows }

    /// Empties the column, keeping its storage for reuse.
    mutating func removeAll() {
        unique()
        store.truncate(to: 0)
        ends.removeAll(keepingCapacity: true)
        nulls.removeAll(keepingCapacity: true)
    }

    /// Appends a string given as bytes.
    @inline(__always)
    mutating func append(_ s: UnsafeBufferPointer<UInt8>) {
        unique()
        store.append(s)
        ends.append(UInt32(truncatingIfNeeded: store.count))
    }

    /// Appends a string.
    mutating func append(_ s: String) {
        var s = s
        s.withUTF8 { append($0) }
    }

    /// Appends a null.
    mutating func appendNull() {
        let row = ends.count
        let word = row >> 6
        if nulls.count <= word { nulls.append(contentsOf: repeatElement(0, count: word + 1 - nulls.count)) }
        nulls[word] |= 1 << UInt64(row & 63)
        ends.append(UInt32(truncatingIfNeeded: store.count))
    }

    /// Appends an optional string.
    mutating func append(_ s: String?) {
        if let s { append(s) } else { appendNull() }
    }

    /// Appends every row of `other`.
    mutating func append(contentsOf other: StringColumn) {
        guard isKept else {
            droppedRows += other.count
            return
        }
        let base = ends.count, offset = UInt32(truncatingIfNeeded: store.count)
        unique()
        store.append(contentsOf: other.store)
        ends.reserveCapacity(ends.count + other.ends.count)
        for end in other.ends { ends.append(end &+ offset) }
        if !other.nulls.isEmpty {
            for row in 0..<other.count where other.isNull(row) {
                let at = base + row, word = at >> 6
                if nulls.count <= word { nulls.append(contentsOf: repeatElement(0, count: word + 1 - nulls.count)) }
                nulls[word] |= 1 << UInt64(at & 63)
            }
        }
    }

    /// Whether row `i` is null.
    @inline(__always)
    func isNull(_ i: Int) -> Bool {
        guard isKept else { return true }
        let word = i >> 6
        return word < nulls.count && nulls[word] & (1 << UInt64(i & 63)) != 0
    }

    /// Row `i` as a string (nil when null).
    func string(_ i: Int) -> String? {
        if isNull(i) { return nil }
        return read { String(decoding: $0.bytes($0.range(i)), as: UTF8.self) }
    }

    /// Row `i` as a string, "" when null.
    func nonNull(_ i: Int) -> String { string(i) ?? "" }

    /// Calls `body` with the bytes of row `i` (valid only until it returns).
    @inline(__always)
    func withBytes<R>(_ i: Int, _ body: (UnsafeBufferPointer<UInt8>) -> R) -> R {
        read { body($0.bytes($0.range(i))) }
    }

    /// Whether row `i` holds exactly `other`'s bytes.
    @inline(__always)
    func equals(_ i: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
        read { $0.equals(i, other) }
    }

    /// Calls `body` with a ``Reader`` of the column's rows: the one place a column's memory is
    /// reachable, and only until `body` returns (the column's storage is kept alive and
    /// unchanged for that long).
    @inline(__always)
    func read<R, E: Error>(_ body: (Reader) throws(E) -> R) throws(E) -> R {
        try ends.withUnsafeBufferPointer { ends throws(E) -> R in
            try store.read { bytes throws(E) -> R in try body(Reader(ends: ends, bytes: bytes)) }
        }
    }

    /// The rows of a column as lent by ``read(_:)``: row `i` is `bytes[ends[i-1] ..< ends[i]]`.
    /// Every access asserts its bounds in debug builds.
    struct Reader {
        private let ends: UnsafeBufferPointer<UInt32>
        private let bytes: UnsafeBufferPointer<UInt8>

        fileprivate init(ends: UnsafeBufferPointer<UInt32>, bytes: UnsafeBufferPointer<UInt8>) {
            self.ends = ends
            self.bytes = bytes
        }

        /// How many rows.
        var count: Int { ends.count }

        /// Where row `i`'s bytes are.
        @inline(__always)
        func range(_ i: Int) -> Range<Int> {
            // Checked in release builds too: the ends are read through an unchecked buffer.
            precondition(i >= 0 && i < ends.count, "row \(i) of \(ends.count)")
            let start = i == 0 ? 0 : Int(ends[i - 1]), end = Int(ends[i])
            assert(start <= end && end <= bytes.count, "bytes \(start)..<\(end) of \(bytes.count)")
            return start..<end
        }

        /// The bytes in `range` (a row's, from ``range(_:)``).
        @inline(__always)
        func bytes(_ range: Range<Int>) -> UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(rebasing: bytes[range]) }

        /// Whether row `i` holds exactly `other`'s bytes.
        @inline(__always)
        func equals(_ i: Int, _ other: UnsafeBufferPointer<UInt8>) -> Bool {
            let r = range(i)
            return r.count == other.count && ByteRun(bytes).matches(ByteRun(other), at: r.lowerBound)
        }

        /// The address of row `i`'s end offset, and, given it is loaded, of its first byte: for a
        /// prefetch hint only, inside the ``read(_:)`` that lent the reader.
        @inline(__always)
        func endAddress(_ i: Int) -> UnsafeRawPointer? {
            assert(i >= 0 && i < ends.count, "row \(i) of \(ends.count)")
            return UnsafeRawPointer(ends.baseAddress.map { $0 + max(0, i - 1) })
        }

        /// The address of row `i`'s first byte (a prefetch hint, like ``endAddress(_:)``).
        @inline(__always)
        func bytesAddress(_ i: Int) -> UnsafeRawPointer? {
            UnsafeRawPointer(bytes.baseAddress.map { $0 + range(i).lowerBound })
        }
    }

    /// The hash of row `i`'s bytes (``ByteHash``).
    func hash(_ i: Int) -> UInt64 { withBytes(i, ByteHash.hash) }

    /// Bytes held, for memory accounting.
    var byteCount: Int { isKept ? store.count + ends.count * 4 + nulls.count * 8 : 0 }

    /// Copies the bytes first when another column shares them (copy on write).
    @inline(__always)
    private mutating func unique() {
        if !isKnownUniquelyReferenced(&store) { store = store.copy() }
    }
}
