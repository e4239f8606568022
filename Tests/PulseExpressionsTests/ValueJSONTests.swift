import PulseDiagnostics
import PulseExpressions
import Testing

/// The byte writer of JSON (used for large worklists) writes exactly what the string one does.
@Suite struct ValueJSONTests {
    @Test(arguments: ["", "plain", "quote \" and \\ backslash", "line\nbreak\r\ttab", "\u{01}\u{1f}", "é ✓ 🚀", "a\u{7f}b"])
    func bytesMatchTheString(_ s: String) {
        var bytes: [UInt8] = []
        JSONText.appendQuoted(s, to: &bytes)
        #expect(String(decoding: bytes, as: UTF8.self) == JSONText.quote(s))
    }

    @Test func valuesMatchPlain() {
        let encoder = ValueJSON()
        let values: [Value] = [.null, .bool(true), .int(-42), .double(2.5), .double(.infinity), .string("x\"y"),
                               .list([.int(1), .string("a"), .list([])]), .timestamp(CELTimestamp.epoch),
                               .duration(CELDuration(nanoseconds: 1_500_000_000))]
        for value in values {
            var bytes: [UInt8] = []
            encoder.write(value, into: &bytes)
            #expect(String(decoding: bytes, as: UTF8.self) == encoder.plain(value))
        }
    }
}
