import CRE2

/// A regular expression in RE2's syntax and semantics (what CEL's `matches` specifies), matched
/// by RE2 itself: linear in the text, never backtracking, never giving up. Compiled once.
public final class RegularExpression: @unchecked Sendable {
    // @unchecked: the RE2 object is immutable after compiling and RE2 documents matching from
    // several threads at once as safe; the pointer is freed only in deinit.
    private let handle: OpaquePointer

    /// Compiles `pattern`, or throws RE2's own message (`missing ): (a`, `invalid escape
    /// sequence: \1`, `pattern too large - compile failed`).
    public init(_ pattern: String) throws(RegularExpressionError) {
        var pattern = pattern
        var message = [CChar](repeating: 0, count: 256)
        let compiled = pattern.withUTF8 { bytes in
            message.withUnsafeMutableBufferPointer { buffer in
                bytes.withMemoryRebound(to: CChar.self) { text in
                    pulse_re2_compile(text.baseAddress, text.count, buffer.baseAddress, buffer.count)
                }
            }
        }
        guard let compiled else {
            let text = message.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }
            throw RegularExpressionError(message: String(decoding: text, as: UTF8.self))
        }
        handle = compiled
    }

    deinit { pulse_re2_free(handle) }

    /// Whether the pattern matches somewhere in `text`.
    public func matches(_ text: String) -> Bool {
        var text = text
        return text.withUTF8 { bytes in
            bytes.withMemoryRebound(to: CChar.self) { pulse_re2_partial_match(handle, $0.baseAddress, $0.count) == 1 }
        }
    }
}

/// Why RE2 refused a pattern.
public struct RegularExpressionError: Error, Sendable, Equatable {
    /// RE2's message.
    public let message: String
}
