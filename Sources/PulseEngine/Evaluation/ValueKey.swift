import PulseExpressions

/// A hashable form of a ``Value``, for `count_distinct` and breakdown labels.
enum ValueKey: Hashable {
    case null
    case bool(Bool)
    case number(Double)
    case int(Int64)
    /// By code points, as CEL compares strings.
    case string(CodePointString)
    case timestamp(CELTimestamp)
    case duration(CELDuration)
    case list([ValueKey])
    case object(ObjectIdentifier)
    case row(ObjectIdentifier, Int)

    init(_ value: Value) {
        switch value {
        case .null: self = .null
        case .bool(let b): self = .bool(b)
        case .int(let i): self = .int(i)
        case .double(let d):
            if let i = Int64(exactly: d) { self = .int(i) } else { self = .number(d) }
        case .string(let s): self = .string(CodePointString(s))
        case .timestamp(let t): self = .timestamp(t)
        case .duration(let d): self = .duration(d)
        case .list(let items): self = .list(items.map(ValueKey.init))
        case .object(let o): self = .object(ObjectIdentifier(o))
        case .row(let r): self = .row(ObjectIdentifier(r.table), r.index)
        }
    }
}

extension Value {
    /// The text of a breakdown label: strings as they are, null as `(none)`.
    var label: String {
        switch self {
        case .null: return "(none)"
        case .string(let s): return s
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .timestamp(let t): return t.description
        case .duration(let d): return d.description
        case .list(let items): return "[" + items.map(\.label).joined(separator: ", ") + "]"
        case .object(let o): return "<\(o.celTypeName)>"
        case .row(let r): return "<\(r.table.celTypeName)>"
        }
    }
}
