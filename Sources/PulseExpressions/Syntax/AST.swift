/// The comprehension macros of CEL.
public enum MacroKind: String, Sendable {
    case all, exists
    case existsOne = "exists_one"
    case filter, map
}

/// A parsed CEL expression node. `offset` is where the node's text starts (in Unicode scalars),
/// used to place diagnostics; `id` numbers nodes uniquely within one expression.
public struct Expr: Sendable {
    public indirect enum Kind: Sendable {
        case int(Int64)
        case double(Double)
        case string(String)
        case bool(Bool)
        case null
        case list([Expr])
        case identifier(String)
        /// `operand.field`, or `has(operand.field)` when `testOnly`.
        case select(operand: Expr, field: String, testOnly: Bool)
        /// A function or operator call: `_&&_`, `_+_`, `size`, `x.startsWith(y)` (with a target).
        case call(function: String, target: Expr?, arguments: [Expr])
        /// A macro over a list: `range.all(variable, predicate)`, `range.map(variable, [filter,] transform)`.
        case comprehension(kind: MacroKind, variable: String, range: Expr, predicate: Expr?, transform: Expr?)
    }

    public var id: Int
    public var kind: Kind
    public var offset: Int
    /// The height of the tree under this node (a leaf is 1): the parser bounds it.
    public var height: Int

    /// The height of the tallest child of a node of `kind` (0 for a leaf).
    static func childHeight(_ kind: Kind) -> Int {
        switch kind {
        case .int, .double, .string, .bool, .null, .identifier: return 0
        case .list(let items): return items.map(\.height).max() ?? 0
        case .select(let operand, _, _): return operand.height
        case .call(_, let target, let arguments): return max(target?.height ?? 0, arguments.map(\.height).max() ?? 0)
        case .comprehension(_, _, let range, let predicate, let transform):
            return max(range.height, predicate?.height ?? 0, transform?.height ?? 0)
        }
    }
}

/// Operator function names, as CEL spells them.
public enum Operator {
    public static let and = "_&&_"
    public static let or = "_||_"
    public static let not = "!_"
    public static let negate = "-_"
    public static let conditional = "_?_:_"
    public static let equals = "_==_"
    public static let notEquals = "_!=_"
    public static let less = "_<_"
    public static let lessOrEqual = "_<=_"
    public static let greater = "_>_"
    public static let greaterOrEqual = "_>=_"
    public static let add = "_+_"
    public static let subtract = "_-_"
    public static let multiply = "_*_"
    public static let divide = "_/_"
    public static let modulo = "_%_"
    public static let `in` = "@in"
    public static let index = "_[_]"

    /// How an operator is written, for messages.
    public static func display(_ function: String) -> String {
        switch function {
        case and: return "&&"
        case or: return "||"
        case not: return "!"
        case negate: return "-"
        case conditional: return "?:"
        case equals: return "=="
        case notEquals: return "!="
        case less: return "<"
        case lessOrEqual: return "<="
        case greater: return ">"
        case greaterOrEqual: return ">="
        case add: return "+"
        case subtract: return "-"
        case multiply: return "*"
        case divide: return "/"
        case modulo: return "%"
        case `in`: return "in"
        case index: return "[]"
        default: return function
        }
    }
}
