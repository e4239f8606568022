/// The types a card parameter may have.
public enum ParamType: String, Sendable, Hashable, CaseIterable {
    case bool
    case int
    case double
    case string
    case duration
    case stringList = "list<string>"
}

/// A parameter's value, of one of the ``ParamType``s.
public enum ParamValue: Sendable, Hashable, CustomStringConvertible {
    case bool(Bool)
    case int(Int)
    case double(Double)
    case string(String)
    case duration(ConfigDuration)
    case stringList([String])

    /// The type of the value.
    public var type: ParamType {
        switch self {
        case .bool: return .bool
        case .int: return .int
        case .double: return .double
        case .string: return .string
        case .duration: return .duration
        case .stringList: return .stringList
        }
    }

    /// The value as it would be written in YAML.
    public var description: String {
        switch self {
        case .bool(let b): return String(b)
        case .int(let i): return String(i)
        case .double(let d): return String(d)
        case .string(let s): return s.debugDescription
        case .duration(let d): return d.description
        case .stringList(let l): return "[" + l.joined(separator: ", ") + "]"
        }
    }
}

/// A typed knob a card declares and a profile may override.
public struct ParamDeclaration: Sendable {
    /// The parameter's name, as used in expressions (`params.NAME`).
    public var name: Located<String>
    /// Its type.
    public var type: ParamType
    /// The value used when no profile overrides it.
    public var defaultValue: ParamValue
    /// What it is for.
    public var description: String?
}
