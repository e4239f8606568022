/// A CEL runtime error: the value of an expression that could not be computed for one row.
public struct EvalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// What went wrong, e.g. `division by zero`.
    public var message: String
    /// The offset (in Unicode scalars) of the sub-expression that failed, when known.
    public var offset: Int?

    /// Creates an error.
    public init(_ message: String, offset: Int? = nil) {
        self.message = message
        self.offset = offset
    }

    public var description: String { message }

    static func noOverload(_ function: String, _ values: [Value]) -> EvalError {
        EvalError("no such overload: \(Operator.display(function))(\(values.map(\.typeName).joined(separator: ", ")))")
    }
}
