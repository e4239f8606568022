/// `&&`, `||` and `?:` with CEL's rules: `&&`/`||` are commutative with respect to errors, so a
/// side that decides the result absorbs an error on the other side.
enum Logic {
    private enum Outcome { case value(Bool), error(EvalError) }

    private static func outcome(_ e: Evaluator, _ a: Activation, _ function: String, _ offset: Int) -> Outcome {
        do {
            switch try e(a) {
            case .bool(let b): return .value(b)
            case let other: return .error(EvalError.noOverload(function, [other]).at(offset))
            }
        } catch {
            return .error(error)
        }
    }

    static func and(_ left: @escaping Evaluator, _ right: @escaping Evaluator, offset: Int) -> Evaluator {
        { (activation) throws(EvalError) in
            let l = outcome(left, activation, Operator.and, offset)
            if case .value(false) = l { return .bool(false) }
            let r = outcome(right, activation, Operator.and, offset)
            if case .value(false) = r { return .bool(false) }
            if case .error(let e) = l { throw e }
            if case .error(let e) = r { throw e }
            return .bool(true)
        }
    }

    static func or(_ left: @escaping Evaluator, _ right: @escaping Evaluator, offset: Int) -> Evaluator {
        { (activation) throws(EvalError) in
            let l = outcome(left, activation, Operator.or, offset)
            if case .value(true) = l { return .bool(true) }
            let r = outcome(right, activation, Operator.or, offset)
            if case .value(true) = r { return .bool(true) }
            if case .error(let e) = l { throw e }
            if case .error(let e) = r { throw e }
            return .bool(false)
        }
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
