/// A compiled condition: evaluates straight to a Swift `Bool`, with no `Value` in between.
public typealias BoolEvaluator = @Sendable (Activation) throws(EvalError) -> Bool

/// Conditions (`where`, `percent(...)`, `rows_where`, macro predicates) compiled to closures
/// that return `Bool`: `&&`, `||`, `!`, comparisons, `in` and `all`/`exists` are evaluated
/// without boxing each intermediate result, with the same CEL rules as the `Value` closures
/// (errors absorbed by a deciding side, no-overload errors for non-bool operands).
extension Builder {
    /// The condition closure of `node`; as an operand of `function` (`&&`, `||`, `!` at
    /// `operatorOffset`), a value that is not a bool is that operator's no-overload error, as
    /// in the `Value` closures.
    func buildBool(_ node: CheckedExpr, operandOf function: String? = nil, at operatorOffset: Int = 0) -> BoolEvaluator {
        if let form = boolForm(node) { return observing ? Observe.condition(node, scope: scope, form) : form }
        // A node with no condition form runs as a value (observed there) and is checked to be a bool.
        let value = build(node)
        let offset = node.offset
        if let function {
            return { (a) throws(EvalError) in
                let v = try value(a)
                if case .bool(let b) = v { return b }
                throw EvalError.noOverload(function, [v]).at(operatorOffset)
            }
        }
        return { (a) throws(EvalError) in
            let v = try value(a)
            if case .bool(let b) = v { return b }
            throw EvalError("expected a bool, got \(v.typeName)", offset: offset)
        }
    }

    /// The closure of `node` as a condition when it has a form of its own (literal, `&&`, `||`,
    /// `!`, comparisons, `in`, `all`/`exists`), unobserved; nil for every other node.
    func boolForm(_ node: CheckedExpr) -> BoolEvaluator? {
        let offset = node.offset
        switch node.kind {
        case .literal(.bool(let b)):
            return { _ in b }
        case .call(Operator.and, let args) where args.count == 2:
            return Self.and(buildBool(args[0], operandOf: Operator.and, at: offset), buildBool(args[1], operandOf: Operator.and, at: offset))
        case .call(Operator.or, let args) where args.count == 2:
            return Self.or(buildBool(args[0], operandOf: Operator.or, at: offset), buildBool(args[1], operandOf: Operator.or, at: offset))
        case .call(Operator.not, let args) where args.count == 1:
            let inner = buildBool(args[0], operandOf: Operator.not, at: offset)
            return { (a) throws(EvalError) in try !inner(a) }
        case .call(let function, let args) where args.count == 2 && Self.comparisons.contains(function):
            // Equality with a string literal compares bytes.
            if function == Operator.equals || function == Operator.notEquals {
                if let (literal, other) = Self.stringLiteralOperand(args) {
                    let side = build(other)
                    let negate = function == Operator.notEquals
                    return { (a) throws(EvalError) in Self.equals(try side(a), literal) != negate }
                }
            }
            let left = build(args[0]), right = build(args[1])
            switch function {
            case Operator.equals: return { (a) throws(EvalError) in Value.celEquals(try left(a), try right(a)) }
            case Operator.notEquals: return { (a) throws(EvalError) in !Value.celEquals(try left(a), try right(a)) }
            default:
                let test: @Sendable (Int) -> Bool
                switch function {
                case Operator.less: test = { $0 < 0 }
                case Operator.lessOrEqual: test = { $0 <= 0 }
                case Operator.greater: test = { $0 > 0 }
                default: test = { $0 >= 0 }
                }
                return { (a) throws(EvalError) in
                    let x = try left(a), y = try right(a)
                    if case .int(let i) = x, case .int(let j) = y { return test(i < j ? -1 : i == j ? 0 : 1) }
                    guard let order = Value.celCompare(x, y) else { throw EvalError.noOverload(function, [x, y]).at(offset) }
                    return order.holds(test)
                }
            }
        case .call(Operator.in, let args) where args.count == 2:
            let element = build(args[0]), list = build(args[1])
            return { (a) throws(EvalError) in try Self.contains(try element(a), in: try list(a), offset: offset) }
        case .comprehension(let kind, _, let slot, let rangeNode, let predicateNode?, nil) where kind == .all || kind == .exists:
            return Comprehensions.decision(kind, slot: slot, range: build(rangeNode), predicate: buildBool(predicateNode), offset: offset)
        default:
            return nil
        }
    }

    /// `(literal, other side)` of a comparison with a string literal on either side.
    static func stringLiteralOperand(_ args: [CheckedExpr]) -> (String, CheckedExpr)? {
        if case .literal(.string(let s)) = args[1].kind { return (s, args[0]) }
        if case .literal(.string(let s)) = args[0].kind { return (s, args[1]) }
        return nil
    }

    /// `value == literal`, comparing a string's code points directly (the fast path of `==` and `!=`).
    @inline(__always)
    static func equals(_ value: Value, _ literal: String) -> Bool {
        if case .string(let s) = value { return Value.sameScalars(s, literal) }
        return Value.celEquals(value, .string(literal))
    }

    /// `x in list`, comparing strings by code points without the generic dispatch.
    @inline(__always)
    static func contains(_ x: Value, in list: Value, offset: Int) throws(EvalError) -> Bool {
        guard case .list(let items) = list else { throw EvalError.noOverload(Operator.in, [x, list]).at(offset) }
        if case .string(let s) = x {
            for item in items {
                if case .string(let t) = item { if Value.sameScalars(s, t) { return true } }
                else if Value.celEquals(x, item) { return true }
            }
            return false
        }
        for item in items where Value.celEquals(x, item) { return true }
        return false
    }

    static let comparisons: Set<String> = [Operator.equals, Operator.notEquals, Operator.less, Operator.lessOrEqual,
                                           Operator.greater, Operator.greaterOrEqual]

    /// CEL's `&&`: false wins over an error on either side.
    static func and(_ left: @escaping BoolEvaluator, _ right: @escaping BoolEvaluator) -> BoolEvaluator {
        { (a) throws(EvalError) in
            var leftError: EvalError?
            do throws(EvalError) { if try !left(a) { return false } } catch { leftError = error }
            do throws(EvalError) { if try !right(a) { return false } } catch { throw leftError ?? error }
            if let leftError { throw leftError }
            return true
        }
    }

    /// CEL's `||`: true wins over an error on either side.
    static func or(_ left: @escaping BoolEvaluator, _ right: @escaping BoolEvaluator) -> BoolEvaluator {
        { (a) throws(EvalError) in
            var leftError: EvalError?
            do throws(EvalError) { if try left(a) { return true } } catch { leftError = error }
            do throws(EvalError) { if try right(a) { return true } } catch { throw leftError ?? error }
            if let leftError { throw leftError }
            return false
        }
    }
}
