/// Bytes for standard output, produced chunk by chunk while they are written.
public struct StreamedOutput: Sendable, Equatable {
    /// Produces the bytes in order, handing each chunk to `write`.
    public let produce: @Sendable (_ write: ([UInt8]) -> Void) -> Void

    /// A stream that `produce` writes.
    public init(_ produce: @escaping @Sendable (_ write: ([UInt8]) -> Void) -> Void) {
        self.produce = produce
    }

    /// Every byte, produced now (for tests and small outputs).
    public var bytes: [UInt8] {
        var out: [UInt8] = []
        produce { out.append(contentsOf: $0) }
        return out
    }

    public static func == (a: StreamedOutput, b: StreamedOutput) -> Bool { a.bytes == b.bytes }
}
