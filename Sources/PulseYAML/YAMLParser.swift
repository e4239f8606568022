import CYAML
import PulseDiagnostics

/// Reads YAML with libyaml into an immutable, located ``YAMLNode`` tree.
///
/// On top of libyaml it refuses what a config file should never contain: duplicate mapping keys,
/// merge keys (`<<`), more than one document, aliases that expand past ``YAMLLimits``, nesting
/// deeper than the limit, and bytes that are not UTF-8.
public enum YAMLParser {
    /// Parses `bytes` read from `file`. Never throws: every problem becomes a diagnostic.
    public static func parse(bytes: [UInt8], file: String, limits: YAMLLimits = .default) -> YAMLDocument {
        if bytes.count > limits.maxBytes {
            let text = String(decoding: bytes.prefix(4096), as: UTF8.self)
            return YAMLDocument(file: file, text: text, root: nil, diagnostics: [
                .error(.yamlFileSize, "file is \(bytes.count) bytes; the limit is \(limits.maxBytes) bytes",
                       at: .startOf(file)),
            ])
        }
        if let bad = firstInvalidUTF8(bytes) {
            let text = String(decoding: bytes, as: UTF8.self)
            return YAMLDocument(file: file, text: text, root: nil, diagnostics: [
                .error(.yamlEncoding, "invalid UTF-8 byte 0x\(String(bytes[bad], radix: 16, uppercase: true)); save the file as UTF-8",
                       at: location(ofByte: bad, in: bytes, file: file)),
            ])
        }
        let text = String(decoding: bytes, as: UTF8.self)
        var builder = TreeBuilder(source: SourceText(file: file, text: text), limits: limits)
        builder.run(bytes)
        return YAMLDocument(file: file, text: text, root: builder.root, diagnostics: builder.diagnostics)
    }

    /// Parses `text` as if read from `file`.
    public static func parse(_ text: String, file: String, limits: YAMLLimits = .default) -> YAMLDocument {
        parse(bytes: Array(text.utf8), file: file, limits: limits)
    }

    private static func firstInvalidUTF8(_ bytes: [UInt8]) -> Int? {
        var iterator = bytes.makeIterator()
        var decoder = UTF8()
        var offset = 0
        while true {
            switch decoder.decode(&iterator) {
            case .scalarValue(let scalar): offset += UTF8.width(scalar)
            case .emptyInput: return nil
            case .error:
                // Locate the first byte that does not start or continue a valid sequence.
                return validPrefixLength(bytes, from: offset)
            }
        }
    }

    private static func validPrefixLength(_ bytes: [UInt8], from offset: Int) -> Int {
        var i = offset
        while i < bytes.count {
            let b = bytes[i]
            let width = b < 0x80 ? 1 : b >> 5 == 0b110 ? 2 : b >> 4 == 0b1110 ? 3 : b >> 3 == 0b11110 ? 4 : 0
            guard width > 0, i + width <= bytes.count,
                  String(validating: bytes[i..<(i + width)], as: UTF8.self) != nil
            else { return i }
            i += width
        }
        return offset
    }

    private static func location(ofByte offset: Int, in bytes: [UInt8], file: String) -> SourceLocation {
        var line = 1, column = 1
        var i = 0
        while i < offset {
            let b = bytes[i]
            if b == UInt8(ascii: "\n") {
                line += 1
                column = 1
            } else if b & 0xC0 != 0x80 {
                column += 1
            }
            i += 1
        }
        return SourceLocation(file: file, line: line, column: column)
    }
}
