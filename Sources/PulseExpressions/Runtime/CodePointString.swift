/// A string that is equal to another and hashes alike only when their code points are the
/// same: CEL's string equality. (Swift's `String` equality is canonical equivalence, so "é"
/// written as one code point and as "e" plus a combining accent would be one key.) Every
/// set or table keyed by text from data uses this, so that `count_distinct`, breakdowns and
/// `==` agree.
public struct CodePointString: Hashable, Sendable {
    /// The text.
    public let text: String

    /// The key of `text`.
    public init(_ text: String) {
        self.text = text
    }

    public static func == (a: CodePointString, b: CodePointString) -> Bool {
        Value.sameScalars(a.text, b.text)
    }

    public func hash(into hasher: inout Hasher) {
        var copy = text
        copy.withUTF8 { hasher.combine(bytes: UnsafeRawBufferPointer($0)) }
    }
}
