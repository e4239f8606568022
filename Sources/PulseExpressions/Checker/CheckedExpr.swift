/// An expression after type checking: every node has its type and every name is resolved (a
/// variable to its slot, a field to its index), ready to compile.
public struct CheckedExpr: Sendable {
    public indirect enum Kind: Sendable {
        case literal(Value)
        case variable(name: String, slot: Int)
        case field(operand: CheckedExpr, name: String, index: Int?, testOnly: Bool)
        case list([CheckedExpr])
        case call(function: String, arguments: [CheckedExpr])
        case comprehension(kind: MacroKind, variable: String, slot: Int, range: CheckedExpr,
                           predicate: CheckedExpr?, transform: CheckedExpr?)
    }

    public var kind: Kind
    public var type: CELType
    /// Where the node's text starts in the expression (Unicode scalars).
    public var offset: Int
    /// The node's id from the parser, unique within the expression.
    public var id: Int
}

/// A type error at an offset (in Unicode scalars) in the expression text.
public struct CheckError: Error, Sendable, Equatable {
    /// The offset of the offending sub-expression.
    public var offset: Int
    /// What is wrong, with a suggestion where one is close.
    public var message: String
}
