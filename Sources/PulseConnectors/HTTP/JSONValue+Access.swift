import PulseSnapshot

extension JSONValue {
    /// The member `key` of an object; nil for another kind or a missing key.
    subscript(key: String) -> JSONValue? {
        guard case .object(let members) = self else { return nil }
        return members.first { $0.key == key }?.value
    }

    /// Whether the value is absent in the JSON sense (null).
    var isNull: Bool { if case .null = self { true } else { false } }

    /// A string, or a number written as JSON (for fields vendors send either way).
    var text: String? {
        switch self {
        case .string(let s): s
        case .int(let i): String(i)
        default: nil
        }
    }

    /// An exact 64-bit integer: a JSON integer or a string of digits. Never goes through a
    /// Double, so 16-digit ids stay exact.
    var int64: Int64? {
        switch self {
        case .int(let i): i
        case .string(let s): Int64(s)
        default: nil
        }
    }

    /// A vendor list: a plain array, AliExpress's double wrapping `{item_name: [...]}`, or a
    /// single object where a one-element list was meant.
    func list(item itemName: String) -> [JSONValue]? {
        switch self {
        case .array(let items): return items
        case .object(let members):
            if let inner = members.first(where: { $0.key == itemName })?.value {
                if case .array(let items) = inner { return items }
                if case .object = inner { return [inner] }
            }
            // A wrapper with another item name than documented: its only array member.
            let arrays = members.compactMap { m -> [JSONValue]? in if case .array(let a) = m.value { a } else { nil } }
            if arrays.count == 1 { return arrays[0] }
            if members.isEmpty { return [] }
            return nil
        case .null: return []
        default: return nil
        }
    }
}

extension JSONParser {
    /// Parses a response body; a message naming what is wrong when it is not JSON.
    static func parseResponse(_ body: [UInt8]) -> ParsedBody {
        do throws(JSONSyntaxError) {
            return .success(try parse(body))
        } catch {
            let excerpt = String(decoding: body.prefix(120), as: UTF8.self)
            return .failure("the response is not JSON (\(error.message) at byte \(error.offset)): \(excerpt.isEmpty ? "an empty body" : excerpt)")
        }
    }
}

/// A response body parsed as JSON, or why it is not JSON.
enum ParsedBody {
    case success(JSONValue)
    case failure(String)
}
