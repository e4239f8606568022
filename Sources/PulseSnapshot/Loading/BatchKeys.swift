/// What the loader's serial apply step needs of a batch of keyed rows (listings by id, stock
/// records by SKU code) for the key index and the duplicate check: the hash of each good row's
/// key and the refused rows, both in line order.
struct BatchKeys: Sendable {
    /// The hash of each good row's key.
    var hashes: [UInt64] = []
    /// The rows refused, with their keys where they have one.
    var refused: [RefusedRow] = []

    /// Forgets the rows, keeping storage.
    mutating func reset() {
        hashes.removeAll(keepingCapacity: true)
        refused.removeAll()
    }

    /// Adds the key of the next good row.
    @inline(__always)
    mutating func add(_ key: UnsafeBufferPointer<UInt8>) { hashes.append(ByteHash.hash(key)) }
}
