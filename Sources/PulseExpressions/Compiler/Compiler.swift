import Foundation

/// Any problem that stops an expression compiling: a syntax or a type error, at an offset.
public enum CompileError: Error, Sendable, Equatable {
    case parse(ParseError)
    case check(CheckError)

    /// The offset (Unicode scalars) of the problem in the expression text.
    public var offset: Int {
        switch self {
        case .parse(let e): return e.offset
        case .check(let e): return e.offset
        }
    }

    /// The message.
    public var message: String {
        switch self {
        case .parse(let e): return e.message
        case .check(let e): return e.message
        }
    }
}

/// Turns expressions into ``Program``s: parse, check against the environment, then build a
/// closure per node with every name and overload resolved, so that nothing is looked up by
/// name when the program runs.
public enum Compiler {
    /// Compiles `text` against `environment` into the optimized plan (fast paths included).
    /// With `observing`, an observe decorator wraps every node's closure so that it records its
    /// result in the activation's ``Activation/trace`` when one is set (for `explain`); the
    /// closures it wraps are the ones compiled without it (cel-go's `interpreter/decorators.go`).
    /// Without `observing` there are no wrappers at all. Programs that run on one activation
    /// record under distinct `traceScope`s (node ids are per program).
    ///
    /// - Throws: ``CompileError`` for a syntax or type error.
    public static func compile(_ text: String, environment: Environment, observing: Bool = false,
                               traceScope: Int = 0) throws(CompileError) -> Program {
        let parsed: Expr
        do { parsed = try Parser.parse(text) } catch { throw .parse(error) }
        var checker = Checker(environment: environment)
        let checked: CheckedExpr
        do { checked = try checker.check(parsed) } catch { throw .check(error) }
        let builder = Builder(observing: observing, scope: traceScope)
        // Conditions also get a closure that returns Bool directly.
        let isCondition = checked.type.unwrapped == .bool
        return Program(type: checked.type, slotCount: checker.slotCount, checked: checked, traceScope: traceScope,
                       root: builder.build(checked), condition: isCondition ? builder.buildBool(checked) : nil)
    }
}

extension Compiler {
    /// The closure of one node of a checked expression (a part of an expression run on its own).
    public static func evaluator(for node: CheckedExpr) -> Evaluator { Builder(observing: false, scope: 0).build(node) }

    /// The condition closure (returning `Bool`) of one node of a checked expression.
    public static func condition(for node: CheckedExpr) -> BoolEvaluator { Builder(observing: false, scope: 0).buildBool(node) }
}

/// Builds the closure tree of a checked expression: the one planner, whose fast paths are the
/// same with and without the observe decorator.
struct Builder {
    /// Whether every node's closure is wrapped to record its result in the activation's trace.
    let observing: Bool
    /// The program's scope in a trace.
    let scope: Int

    func build(_ node: CheckedExpr) -> Evaluator {
        let evaluator = buildNode(node)
        return observing ? Observe.value(node, scope: scope, evaluator) : evaluator
    }

    private func buildNode(_ node: CheckedExpr) -> Evaluator {
        let offset = node.offset
        switch node.kind {
        case .literal(let value):
            return { _ in value }
        case .variable(_, let slot):
            return { activation in activation.slots[slot] }
        case .list(let elements):
            // A list of literals is a constant, built once.
            var constants: [Value] = []
            for element in elements {
                guard case .literal(let value) = element.kind else { break }
                constants.append(value)
            }
            if constants.count == elements.count {
                let constant = Value.list(constants)
                return { _ in constant }
            }
            let evaluators = elements.map(build)
            return { (activation) throws(EvalError) in
                var out: [Value] = []
                out.reserveCapacity(evaluators.count)
                for e in evaluators { out.append(try e(activation)) }
                return .list(out)
            }
        case .field(let operandNode, let name, let index, let testOnly):
            // The common case, a field of a row variable (`listing.status`), in one closure.
            if case .variable(_, let slot) = operandNode.kind, let index, !testOnly {
                return { (activation) throws(EvalError) in
                    switch activation.slots[slot] {
                    case .row(let row): return row.table.field(row.index, index)
                    case .object(let object): return object.field(index)
                    case .null: throw EvalError("cannot select '\(name)' from null", offset: offset)
                    case let other: throw EvalError("\(other.typeName) has no field '\(name)'", offset: offset)
                    }
                }
            }
            let operand = build(operandNode)
            return { (activation) throws(EvalError) in
                let target = try operand(activation)
                let read: (Int) -> Value
                switch target {
                case .row(let row): read = row.field
                case .object(let object): read = object.field
                case .null: throw EvalError("cannot select '\(name)' from null", offset: offset)
                default: throw EvalError("\(target.typeName) has no field '\(name)'", offset: offset)
                }
                guard let index else { throw EvalError("no field '\(name)'", offset: offset) }
                let value = read(index)
                if testOnly {
                    if case .null = value { return .bool(false) }
                    return .bool(true)
                }
                return value
            }
        case .call(let function, let arguments):
            // `&&` and `||` run as conditions (no Value per operand), with the same rules.
            if function == Operator.and || function == Operator.or, let condition = boolForm(node) {
                return { (activation) throws(EvalError) in .bool(try condition(activation)) }
            }
            return buildCall(function, arguments, offset: offset)
        case .comprehension(let kind, _, let slot, let rangeNode, let predicateNode, let transformNode):
            // Closures are passed unwrapped: an optional closure is called through a thunk.
            let always: Evaluator = { _ in .bool(true) }
            return Comprehensions.build(kind, slot: slot, range: build(rangeNode),
                                        predicate: predicateNode.map { build($0) } ?? always, hasPredicate: predicateNode != nil,
                                        transform: transformNode.map { build($0) } ?? always, hasTransform: transformNode != nil,
                                        offset: offset)
        }
    }

    private func buildCall(_ function: String, _ arguments: [CheckedExpr], offset: Int) -> Evaluator {
        // Each argument's closure is built into its own constant: a closure taken out of an array
        // would be called through a reabstraction thunk on every row.
        switch function {
        case Operator.conditional: return Logic.conditional(build(arguments[0]), build(arguments[1]), build(arguments[2]), offset: offset)
        case Operator.not:
            let operand = build(arguments[0])
            return { (activation) throws(EvalError) in
                guard case .bool(let b) = try operand(activation) else {
                    throw EvalError.noOverload(function, [try operand(activation)]).at(offset)
                }
                return .bool(!b)
            }
        default:
            break
        }
        let first = build(arguments[0])
        // Equality against a string literal (`listing.status == "active"`) compares bytes directly.
        if function == Operator.equals || function == Operator.notEquals, arguments.count == 2,
           let (literal, other) = Builder.stringLiteralOperand(arguments) {
            let side = build(other)
            let negate = function == Operator.notEquals
            return { (activation) throws(EvalError) in .bool(Builder.equals(try side(activation), literal) != negate) }
        }
        // `x in list` without the generic dispatch, comparing strings by code points.
        if function == Operator.in, arguments.count == 2 {
            let element = first, list = build(arguments[1])
            return { (activation) throws(EvalError) in .bool(try Builder.contains(try element(activation), in: try list(activation), offset: offset)) }
        }
        switch StandardLibrary.implementation(of: function) {
        case .built(let make)?: return make(arguments, build, offset)
        case .unary(let implementation)?:
            let a = first
            return { (activation) throws(EvalError) in
                do throws(EvalError) { return try implementation(try a(activation)) } catch { throw error.at(offset) }
            }
        case .binary(let implementation)?:
            let a = first, b = build(arguments[1])
            return { (activation) throws(EvalError) in
                let x = try a(activation)
                let y = try b(activation)
                do throws(EvalError) { return try implementation(x, y) } catch { throw error.at(offset) }
            }
        case nil:
            // Nothing the checker passes: `&&`, `||`, `!` and `?:` are built above.
            return { (activation) throws(EvalError) in
                throw EvalError.noOverload(function, [try first(activation)]).at(offset)
            }
        }
    }
}

extension EvalError {
    /// The error located at `offset`, unless it already has a location.
    func at(_ offset: Int) -> EvalError {
        var copy = self
        if copy.offset == nil { copy.offset = offset }
        return copy
    }
}
