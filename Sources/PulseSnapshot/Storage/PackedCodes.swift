/// A list of up to 18 two-letter codes `A`-`Z` (a `ship_to` as merchants write it) packed in
/// order into three words, six 10-bit slots a word, each slot the code's number plus one (`AA` is
/// 1, `ZZ` 676; 0 is an empty slot): the list hashes and compares as three integers, and the
/// loader builds it from the line's bytes without a string.
struct PackedCodes: Hashable, Sendable {
    /// The most codes a packed list holds; a longer list is kept as strings.
    static let capacity = 18

    private var w0: UInt64 = 0, w1: UInt64 = 0, w2: UInt64 = 0
    /// How many codes.
    private(set) var count = 0

    /// The empty list.
    init() {}

    /// `list` packed, or nil when it is longer than ``capacity`` or holds anything but two
    /// letters A-Z.
    init?(_ list: [String]) {
        for code in list {
            var bytes = code.utf8.makeIterator()
            guard let a = bytes.next(), let b = bytes.next(), bytes.next() == nil, append(a, b) else { return nil }
        }
    }

    /// Adds the code of the letters `a` and `b` (ASCII); false when either is not `A`-`Z` or the
    /// list is full.
    @inline(__always)
    mutating func append(_ a: UInt8, _ b: UInt8) -> Bool {
        guard count < Self.capacity, a >= 65, a <= 90, b >= 65, b <= 90 else { return false }
        let slot = UInt64((Int(a) - 65) * 26 + Int(b) - 65 + 1) << UInt64(10 * (count % 6))
        switch count / 6 {
        case 0: w0 |= slot
        case 1: w1 |= slot
        default: w2 |= slot
        }
        count += 1
        return true
    }

    /// The codes, in order.
    var codes: [String] {
        (0..<count).map { i in
            let word = i < 6 ? w0 : i < 12 ? w1 : w2
            let code = Int((word >> UInt64(10 * (i % 6))) & 1023) - 1
            return String(decoding: [UInt8(65 + code / 26), UInt8(65 + code % 26)], as: UTF8.self)
        }
    }
}
