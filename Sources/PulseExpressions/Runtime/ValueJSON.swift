import PulseDiagnostics

/// Writes ``Value``s as JSON text.
///
/// Doubles that JSON cannot hold are written as the strings `"Infinity"`, `"-Infinity"` and
/// `"NaN"`; timestamps as RFC 3339 strings; durations as `"86400s"`; objects as a JSON object of
/// their fields (when their type is known).
public struct ValueJSON: Sendable {
    private let objectTypes: [String: ObjectType]

    /// An encoder that writes objects of `objectTypes` field by field.
    public init(objectTypes: [String: ObjectType] = [:]) {
        self.objectTypes = objectTypes
    }

    /// The value as plain JSON: lists as arrays, scalars as themselves.
    public func plain(_ value: Value) -> String {
        switch value {
        case .null: return "null"
        case .bool(let b): return b ? "true" : "false"
        case .int(let i): return String(i)
        case .double(let d): return ValueJSON.number(d)
        case .string(let s): return JSONText.quote(s)
        case .list(let items): return "[" + items.map(plain).joined(separator: ", ") + "]"
        case .timestamp(let t): return JSONText.quote(t.description)
        case .duration(let d): return JSONText.quote(d.description)
        case .object(let object):
            let typeName = object.celTypeName
            guard let type = objectTypes[typeName] else { return JSONText.quote("<\(typeName)>") }
            let fields = type.fields.enumerated().map { i, f in JSONText.quote(f.name) + ": " + plain(object.field(i)) }
            return "{" + fields.joined(separator: ", ") + "}"
        case .row(let row):
            let typeName = row.table.celTypeName
            guard let type = objectTypes[typeName] else { return JSONText.quote("<\(typeName)>") }
            let fields = type.fields.enumerated().map { i, f in JSONText.quote(f.name) + ": " + plain(row.field(i)) }
            return "{" + fields.joined(separator: ", ") + "}"
        }
    }

    /// Appends ``plain(_:)``'s text of `value` to `out`, with no intermediate strings.
    public func write(_ value: Value, into out: inout [UInt8]) {
        switch value {
        case .null: out.append(utf8: "null")
        case .bool(let b): out.append(utf8: b ? "true" : "false")
        case .int(let i): out.append(utf8: String(i))
        case .string(let s): JSONText.appendQuoted(s, to: &out)
        case .list(let items):
            out.append(0x5B)
            for (n, item) in items.enumerated() {
                if n > 0 { out.append(contentsOf: [0x2C, 0x20]) }
                write(item, into: &out)
            }
            out.append(0x5D)
        case .timestamp(let t): JSONText.appendQuoted(t.description, to: &out)
        default: out.append(utf8: plain(value))
        }
    }

    /// The value with its type, as CEL's conformance data writes it: `{"type": "int", "value": 1}`,
    /// and a list as a list of such entries.
    public func typed(_ value: Value) -> String {
        "{\"type\": \"\(value.shortTypeName)\", \"value\": \(typedValue(value))}"
    }

    /// The `value` part of ``typed(_:)``.
    public func typedValue(_ value: Value) -> String {
        if case .list(let items) = value {
            return "[" + items.map(typed).joined(separator: ", ") + "]"
        }
        return plain(value)
    }

    /// A double as JSON: shortest round-tripping form, non-finite values as strings.
    public static func number(_ d: Double) -> String {
        if d.isNaN { return "\"NaN\"" }
        if d.isInfinite { return d > 0 ? "\"Infinity\"" : "\"-Infinity\"" }
        return "\(d)"
    }
}
