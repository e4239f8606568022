/// `&&`, `||` and `?:` over values. The error rules of `&&` and `||` (commutative with respect
/// to errors: a side that decides the result absorbs an error on the other side) live in one
/// place, ``Builder/and(_:_:)`` and ``Builder/or(_:_:)``; these wrap them.
enum Logic {
    /// A `&&`/`||` operand as a condition: a value that is not a bool is a no-overload error.
    private static func operand(_ e: @escaping Evaluator, _ function: String, _ offset: Int) -> BoolEvaluator {
        { (activation) throws(EvalError) in
            switch try e(activation) {
            case .bool(let b): return b
            case let other: throw EvalError.noOverload(function, [other]).at(offset)
            }
        }
    }

    /// `&&` over values, with ``Builder/and(_:_:)``'s error rules.
    static func and(_ left: @escaping Evaluator, _ right: @escaping Evaluator, offset: Int) -> Evaluator {
        let both = Builder.and(operand(left, Operator.and, offset), operand(right, Operator.and, offset))
        return { (activation) throws(EvalError) in .bool(try both(activation)) }
    }

    /// `||` over values, with ``Builder/or(_:_:)``'s error rules.
    static func or(_ left: @escaping Evaluator, _ right: @escaping Evaluator, offset: Int) -> Evaluator {
        let either = Builder.or(operand(left, Operator.or, offset), operand(right, Operator.or, offset))
        return { (activation) throws(EvalError) in .bool(try either(activation)) }
    }

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
