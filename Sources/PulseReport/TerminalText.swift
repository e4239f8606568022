/// Text from data made safe for a terminal: a listing id or title may hold ESC, CR or LF, which
/// printed raw could clear the screen or fake a line of output.
package enum TerminalText {
    /// `s` with every control character (C0, DEL, C1) written as an escape: `\n`, `\r`, `\t`,
    /// else `\u{1B}`. Other text is unchanged.
    package static func escape(_ s: String) -> String {
        guard s.unicodeScalars.contains(where: isControl) else { return s }
        var out = ""
        for scalar in s.unicodeScalars {
            guard isControl(scalar) else { out.unicodeScalars.append(scalar); continue }
            switch scalar {
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            default: out += "\\u{" + String(scalar.value, radix: 16, uppercase: true) + "}"
            }
        }
        return out
    }

    private static func isControl(_ scalar: Unicode.Scalar) -> Bool {
        scalar.value < 0x20 || (0x7F...0x9F).contains(scalar.value)
    }
}
