/// `?:` over values. (`&&` and `||` are conditions: their error rules, commutative with respect
/// to errors, live in one place, ``Builder/and(_:_:)`` and ``Builder/or(_:_:)``.)
enum Logic {
    /// `condition ? whenTrue : whenFalse`; a condition that is not a bool is an error at `offset`.
    static func conditional(_ condition: @escaping Evaluator, _ whenTrue: @escaping Evaluator, _ whenFalse: @escaping Evaluator,
                            offset: Int) -> Evaluator {
        { (activation) throws(EvalError) in
            switch try condition(activation) {
            case .bool(true): return try whenTrue(activation)
            case .bool(false): return try whenFalse(activation)
            case let other: throw EvalError("the condition of ?: must be a bool, got \(other.typeName)", offset: offset)
            }
        }
    }
}
