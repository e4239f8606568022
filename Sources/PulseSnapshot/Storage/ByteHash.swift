/// A fast, non-cryptographic hash of a short byte string (keys such as SKU codes and listing
/// ids, which come from the merchant's own data, never from an adversary chosen per run).
enum ByteHash {
    @inline(__always)
    private static func mix(_ a: UInt64, _ b: UInt64) -> UInt64 {
        let m = a.multipliedFullWidth(by: b)
        return m.high ^ m.low
    }

    /// The hash of `bytes`.
    @inline(__always)
    static func hash(_ bytes: UnsafeBufferPointer<UInt8>) -> UInt64 {
        let run = ByteRun(bytes)
        let n = run.count
        var h: UInt64 = 0x9E37_79B9_7F4A_7C15 ^ UInt64(n)
        var i = 0
        while i + 8 <= n {
            h = mix(h ^ run.word64(at: i), 0xA076_1D64_78BD_642F)
            i += 8
        }
        if i < n {
            var tail: UInt64 = 0
            var shift: UInt64 = 0
            while i < n {
                tail |= UInt64(run[i]) << shift
                shift += 8
                i += 1
            }
            h = mix(h ^ tail, 0xE703_7ED1_A0B4_28DB)
        }
        return mix(h, 0x8EBC_6AF0_9C88_C6E3)
    }
}

/// An index from the keys in a ``StringColumn`` to their rows: open addressing over row
/// numbers, keys compared by bytes. Used for the joins (SKU to stock record, event to listing)
/// and the duplicate-key checks.
struct KeyIndex: Sendable {
    /// Per slot: the key's hash in the high 32 bits (to skip most byte compares) and the row + 1
    /// in the low 32 bits (0: empty). One word, so a probe touches one cache line.
    private var slots: [UInt64]
    private(set) var count = 0

    /// An index sized for about `capacity` keys (at most 70% full).
    init(capacity: Int) {
        slots = [UInt64](repeating: 0, count: max(16, capacity * 10 / 7 + 1))
    }

    /// The first slot to probe for `hash` (any table size, no modulo).
    @inline(__always)
    fileprivate static func home(_ hash: UInt64, _ size: Int) -> Int {
        Int(truncatingIfNeeded: hash.multipliedFullWidth(by: UInt64(size)).high)
    }

    /// The row whose key (in `keys`) equals `key`, or nil.
    @inline(__always)
    func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, in keys: StringColumn) -> Int? {
        keys.read { keys in read { $0.find(key, hash: hash, in: keys) } }
    }

    /// Calls `body` with a ``Reader`` of the slots, valid only until it returns (for many lookups
    /// in a row, and the prefetch hints of the stock join).
    @inline(__always)
    func read<R>(_ body: (Reader) -> R) -> R {
        slots.withUnsafeBufferPointer { body(Reader(slots: $0)) }
    }

    /// The slots as lent by ``read(_:)``. Every access asserts its bounds in debug builds.
    struct Reader {
        private let slots: UnsafeBufferPointer<UInt64>

        fileprivate init(slots: UnsafeBufferPointer<UInt64>) { self.slots = slots }

        @inline(__always)
        private func home(_ hash: UInt64) -> Int { KeyIndex.home(hash, slots.count) }

        /// The address of the first slot a lookup of `hash` reads: a prefetch hint, inside the
        /// ``read(_:)`` that lent the reader.
        @inline(__always)
        func slotAddress(_ hash: UInt64) -> UnsafeRawPointer? {
            UnsafeRawPointer(slots.baseAddress.map { $0 + home(hash) })
        }

        /// The row in the first slot a lookup of `hash` reads, if its tag matches (a likely
        /// answer, to prefetch its key; ``find(_:hash:in:)`` decides).
        @inline(__always)
        func likelyRow(_ hash: UInt64) -> Int? {
            let s = slots[home(hash)]
            guard s != 0, s & 0xFFFF_FFFF_0000_0000 == hash & 0xFFFF_FFFF_0000_0000 else { return nil }
            return Int(s & 0xFFFF_FFFF) - 1
        }

        /// The row whose key (in `keys`) equals `key`, or nil.
        @inline(__always)
        func find(_ key: UnsafeBufferPointer<UInt8>, hash: UInt64, in keys: StringColumn.Reader) -> Int? {
            let size = slots.count
            var i = home(hash)
            let tag = hash & 0xFFFF_FFFF_0000_0000
            while true {
                let s = slots[i]
                if s == 0 { return nil }
                if s & 0xFFFF_FFFF_0000_0000 == tag {
                    let row = Int(s & 0xFFFF_FFFF) - 1
                    if keys.equals(row, key) { return row }
                }
                i += 1
                if i == size { i = 0 }
            }
        }
    }

    /// Adds row `row` of `keys` (whose hash is `hash`); returns the earlier row with the same key
    /// instead, leaving the index as it was.
    @inline(__always)
    mutating func insert(row: Int, hash: UInt64, in keys: StringColumn) -> Int? {
        if (count + 1) * 10 > slots.count * 7 { grow(keys) }
        let size = slots.count
        var i = KeyIndex.home(hash, size)
        let tag = hash & 0xFFFF_FFFF_0000_0000
        while true {
            let s = slots[i]
            if s == 0 { break }
            if s & 0xFFFF_FFFF_0000_0000 == tag {
                let earlier = Int(s & 0xFFFF_FFFF) - 1
                if keys.withBytes(row, { keys.equals(earlier, $0) }) { return earlier }
            }
            i += 1
            if i == size { i = 0 }
        }
        slots[i] = tag | UInt64(row + 1)
        count += 1
        return nil
    }

    private mutating func grow(_ keys: StringColumn) {
        let old = slots
        slots = [UInt64](repeating: 0, count: old.count * 2)
        count = 0
        for s in old where s != 0 {
            let row = Int(s & 0xFFFF_FFFF) - 1
            _ = insert(row: row, hash: keys.hash(row), in: keys)
        }
    }

    /// Bytes held, for memory accounting.
    var byteCount: Int { slots.count * 8 }
}
