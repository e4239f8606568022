/// The static type of a CEL expression.
public indirect enum CELType: Sendable, Hashable, CustomStringConvertible {
    case int
    case double
    case string
    case bool
    case null
    case timestamp
    case duration
    /// Any type, checked at run time (e.g. the elements of `[1, 'a']`).
    case dyn
    case list(CELType)
    /// An object of a declared type, e.g. `listing`.
    case object(String)
    /// A field that may be null (CEL's wrapper types): usable as its type, comparable to null.
    case nullable(CELType)

    public var description: String {
        switch self {
        case .int: return "int"
        case .double: return "double"
        case .string: return "string"
        case .bool: return "bool"
        case .null: return "null"
        case .timestamp: return "timestamp"
        case .duration: return "duration"
        case .dyn: return "dyn"
        case .list(let element): return "list(\(element))"
        case .object(let name): return name
        case .nullable(let inner): return "\(inner)?"
        }
    }

    /// The type without a nullable wrapper.
    public var unwrapped: CELType {
        if case .nullable(let inner) = self { return inner }
        return self
    }

    /// Whether it is a list type.
    var isList: Bool {
        if case .list = self { return true }
        return false
    }

    /// Whether a null value may appear here (nullable fields, objects, dyn, null itself).
    var acceptsNull: Bool {
        switch self {
        case .nullable, .null, .dyn, .object: return true
        default: return false
        }
    }

    /// Whether this type is, or contains, dyn.
    var isDynamic: Bool {
        switch self {
        case .dyn: return true
        case .list(let e): return e.isDynamic
        case .nullable(let t): return t.isDynamic
        default: return false
        }
    }

    /// The common type of two types for equality, list literals and conditionals: the same
    /// type, dyn against anything, null against a nullable type; nil when they do not meet.
    static func join(_ a: CELType, _ b: CELType) -> CELType? {
        if a == b { return a }
        switch (a, b) {
        case (.dyn, _), (_, .dyn): return .dyn
        case (.null, let t), (let t, .null):
            return t.acceptsNull ? t : .nullable(t)
        case (.nullable(let x), let y), (let y, .nullable(let x)):
            return join(x, y.unwrapped).map { .nullable($0) }
        case (.list(let x), .list(let y)):
            return join(x, y).map { .list($0) }
        default: return nil
        }
    }
}

/// A field of an object type.
public struct FieldDeclaration: Sendable {
    /// The field's name.
    public var name: String
    /// Its type (``CELType/nullable(_:)`` when it may be null).
    public var type: CELType
    /// What it holds, for documentation and `pulse cards`.
    public var summary: String

    /// Declares a field.
    public init(_ name: String, _ type: CELType, _ summary: String = "") {
        self.name = name
        self.type = type
        self.summary = summary
    }
}

/// An object type expressions can select fields from; fields are addressed by their index.
public struct ObjectType: Sendable {
    /// The type's name, e.g. `listing`.
    public var name: String
    /// Its fields; a field's position here is the index ``CELObject/field(_:)`` receives.
    public var fields: [FieldDeclaration]

    /// Declares an object type.
    public init(name: String, fields: [FieldDeclaration]) {
        self.name = name
        self.fields = fields
    }

    /// The index of the field called `name`.
    public func index(of name: String) -> Int? { fields.firstIndex { $0.name == name } }
}

/// What an expression can see: variables (each with a slot in the activation) and object types.
public struct Environment: Sendable {
    /// A variable's type and slot.
    public struct Variable: Sendable {
        public var type: CELType
        public var slot: Int
    }

    /// The variables by name.
    public private(set) var variables: [String: Variable] = [:]
    /// The object types by name.
    public private(set) var objectTypes: [String: ObjectType] = [:]
    /// Slots in use (variables plus macro variables allocated while compiling).
    public private(set) var slotCount = 0
    /// Names that exist elsewhere but not here, with why (`sku` in a card `from: listings`).
    public private(set) var unavailable: [String: String] = [:]

    /// An empty environment: literals, operators and functions only.
    public init() {}

    /// Declares an object type.
    public mutating func declare(_ type: ObjectType) {
        objectTypes[type.name] = type
    }

    /// Reserves a slot for `name` without declaring it (so that slot numbers stay fixed) and
    /// says, when an expression uses it, `why` it is not available here.
    public mutating func reserve(_ name: String, unavailableBecause why: String) {
        slotCount += 1
        unavailable[name] = why
    }

    /// Declares a variable and returns its slot.
    @discardableResult
    public mutating func declare(variable name: String, type: CELType) -> Int {
        if let existing = variables[name] {
            variables[name] = Variable(type: type, slot: existing.slot)
            return existing.slot
        }
        let slot = slotCount
        slotCount += 1
        variables[name] = Variable(type: type, slot: slot)
        return slot
    }
}

extension CELType {
    /// Whether the static type leaves the value's type to run time (`dyn`, `list(dyn)`, …).
    public var isDynamicType: Bool { isDynamic }
}
