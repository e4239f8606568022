/// Growable bytes for a ``StringColumn``: appending a short string is a capacity check and a
/// copy, without the general `Array` machinery (which costs more than the copy itself at this
/// size). Shared on copy and copied on write, like an array.
///
/// Its memory is reachable only inside a scope, as in swift-collections' `Deque._Storage`:
/// ``read(_:)`` lends the bytes for the length of a closure, and the store stays alive (and
/// unchanged: nothing appends to a store while it is lent) until the closure returns. No pointer
/// outlives the call that lent it.
// @unchecked Sendable: a store is written only while its column is built (on one thread; a
// column copied to another worker is copied on write before it changes); once the table is
// done it is only read.
final class ByteStore: @unchecked Sendable {
    private var base: UnsafeMutablePointer<UInt8>
    private(set) var count = 0
    private var capacity: Int

    init(capacity: Int = 0) {
        self.capacity = max(16, capacity)
        base = .allocate(capacity: self.capacity)
    }

    deinit { base.deallocate() }

    /// A store holding a copy of these bytes.
    func copy() -> ByteStore {
        let other = ByteStore(capacity: capacity)
        other.base.update(from: base, count: count)
        other.count = count
        return other
    }

    private func grow(to needed: Int) {
        var size = capacity
        while size < needed { size *= 2 }
        let bigger = UnsafeMutablePointer<UInt8>.allocate(capacity: size)
        bigger.update(from: base, count: count)
        base.deallocate()
        base = bigger
        capacity = size
    }

    @inline(__always)
    func append(_ bytes: UnsafeBufferPointer<UInt8>) {
        let n = bytes.count
        if count + n > capacity { grow(to: count + n) }
        assert(count + n <= capacity, "\(n) bytes after \(count) in a store of \(capacity)")
        guard let source = bytes.baseAddress else { return }
        let target = base + count
        if n <= 16 {
            for k in 0..<n { target[k] = source[k] }
        } else {
            target.update(from: source, count: n)
        }
        count += n
    }

    /// Appends the bytes of `other` (which may be this store).
    func append(contentsOf other: ByteStore) {
        let source = other === self ? other.copy() : other  // growing would free the bytes being read
        source.read { append($0) }
    }

    /// Forgets the bytes from `newCount` on.
    func truncate(to newCount: Int) {
        assert(newCount >= 0, "a store truncated to \(newCount) bytes")
        count = min(count, newCount)
    }

    /// Calls `body` with the bytes held, valid only until it returns (subscripts bounds-checked
    /// in debug builds).
    @inline(__always)
    func read<R, E: Error>(_ body: (UnsafeBufferPointer<UInt8>) throws(E) -> R) throws(E) -> R {
        let bytes = UnsafeBufferPointer(start: base, count: count)
        return try withExtendedLifetime(self) { () throws(E) -> R in try body(bytes) }
    }
}
