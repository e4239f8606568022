import PulseDiagnostics

/// One JSON object written by hand, keys in the order added (the rows of a snapshot file).
struct JSONObjectText {
    private(set) var bytes: [UInt8] = [UInt8(ascii: "{")]

    private mutating func key(_ name: String) {
        if bytes.count > 1 { bytes.append(UInt8(ascii: ",")) }
        JSONText.appendQuoted(name, to: &bytes)
        bytes.append(UInt8(ascii: ":"))
    }

    mutating func string(_ name: String, _ value: String?) {
        key(name)
        if let value { JSONText.appendQuoted(value, to: &bytes) } else { bytes.append(contentsOf: Array("null".utf8)) }
    }

    mutating func int(_ name: String, _ value: Int64) {
        key(name)
        bytes.append(contentsOf: Array(String(value).utf8))
    }

    mutating func bool(_ name: String, _ value: Bool) {
        key(name)
        bytes.append(contentsOf: Array((value ? "true" : "false").utf8))
    }

    mutating func strings(_ name: String, _ values: [String]?) {
        key(name)
        guard let values else { return bytes.append(contentsOf: Array("null".utf8)) }
        bytes.append(UInt8(ascii: "["))
        for (i, v) in values.enumerated() {
            if i > 0 { bytes.append(UInt8(ascii: ",")) }
            JSONText.appendQuoted(v, to: &bytes)
        }
        bytes.append(UInt8(ascii: "]"))
    }

    /// `value` is already JSON text.
    mutating func raw(_ name: String, _ value: [UInt8]) {
        key(name)
        bytes.append(contentsOf: value)
    }

    /// The object's text, closed, with a newline (one JSON Lines row).
    func line() -> [UInt8] { bytes + [UInt8(ascii: "}"), 0x0A] }
    /// The object's text, closed.
    func text() -> [UInt8] { bytes + [UInt8(ascii: "}")] }
}
