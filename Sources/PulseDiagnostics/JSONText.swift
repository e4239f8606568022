/// Small helpers for writing JSON by hand, where key order and layout must stay stable.
public enum JSONText {
    /// `s` as a JSON string literal, quotes included.
    public static func quote(_ s: String) -> String {
        // Most strings need no escaping: copy them whole.
        if !s.utf8.contains(where: { $0 < 0x20 || $0 == 0x22 || $0 == 0x5C }) { return "\"" + s + "\"" }
        return "\"" + escaped(s) { scalar in
            switch scalar {
            case "\"": "\\\""
            case "\\": "\\\\"
            case "\n": "\\n"
            case "\r": "\\r"
            case "\t": "\\t"
            case let c where c.value < 0x20: controlEscape(c)
            default: nil
            }
        } + "\""
    }

    /// `s` with every scalar that `replacement` maps written as its replacement, the rest as they are:
    /// the one escaping loop (JSON here, XML in `pulse test --format junit`).
    public static func escaped(_ s: String, _ replacement: (Unicode.Scalar) -> String?) -> String {
        var out = ""
        out.reserveCapacity(s.utf8.count + 2)
        for scalar in s.unicodeScalars {
            if let text = replacement(scalar) { out += text } else { out.unicodeScalars.append(scalar) }
        }
        return out
    }

    /// `s` as XML or HTML text or an attribute value: `&`, `<`, `>`, `"` and `'` as entities (`'`
    /// as `apostrophe`: XML's `&apos;`, HTML's `&#39;`). With `escapingControls`, control
    /// characters other than tab and line ends are written as JSON writes them (`\u0001`): XML
    /// 1.0 has no way to write most of them, not even as `&#1;`.
    public static func markup(_ s: String, apostrophe: String, escapingControls: Bool = false) -> String {
        escaped(s) { c in
            switch c {
            case "&": "&amp;"
            case "<": "&lt;"
            case ">": "&gt;"
            case "\"": "&quot;"
            case "'": apostrophe
            case let c where escapingControls && c.value < 0x20 && c != "\n" && c != "\t" && c != "\r": controlEscape(c)
            default: nil
            }
        }
    }

    /// A control character as JSON writes it: `\u0001`.
    public static func controlEscape(_ c: Unicode.Scalar) -> String {
        let hex = String(c.value, radix: 16)
        return "\\u" + String(repeating: "0", count: max(0, 4 - hex.count)) + hex
    }

    /// Appends `s` as a JSON string literal (the same text as ``quote(_:)``) to `out`.
    public static func appendQuoted(_ s: String, to out: inout [UInt8]) {
        out.append(0x22)
        var s = s
        s.withUTF8 { bytes in
            var start = 0
            for (i, b) in bytes.enumerated() where b < 0x20 || b == 0x22 || b == 0x5C {
                out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start..<i]))
                switch b {
                case 0x22: out.append(contentsOf: [0x5C, 0x22])
                case 0x5C: out.append(contentsOf: [0x5C, 0x5C])
                case 0x0A: out.append(contentsOf: [0x5C, 0x6E])
                case 0x0D: out.append(contentsOf: [0x5C, 0x72])
                case 0x09: out.append(contentsOf: [0x5C, 0x74])
                default:
                    let hex = Array("0123456789abcdef".utf8)
                    out.append(contentsOf: [0x5C, 0x75, 0x30, 0x30, hex[Int(b >> 4)], hex[Int(b & 15)]])
                }
                start = i + 1
            }
            out.append(contentsOf: UnsafeBufferPointer(rebasing: bytes[start...]))
        }
        out.append(0x22)
    }
}

extension Array where Element == UInt8 {
    /// Appends the UTF-8 bytes of `s`.
    @inline(__always)
    public mutating func append(utf8 s: String) {
        var s = s
        s.withUTF8 { append(contentsOf: $0) }
    }
}
