/// The list macros `all`, `exists`, `exists_one`, `filter` and `map`, with CEL's error rules:
/// `all` is false if any element is false (even when others error), `exists` is true if any is
/// true; otherwise an error wins. `exists_one`, `filter` and `map` propagate errors.
enum Comprehensions {
    /// Enters a comprehension: the outermost one starts a fresh budget.
    @inline(__always)
    private static func enter(_ activation: Activation) {
        if activation.comprehensionDepth == 0 { activation.steps = 0 }
        activation.comprehensionDepth += 1
    }

    /// Spends one iteration of the budget, or stops the evaluation with a counted error.
    @inline(__always)
    private static func step(_ activation: Activation, _ kind: MacroKind, _ offset: Int) throws(EvalError) {
        activation.steps += 1
        if activation.steps > CostLimit.iterations {
            throw EvalError("\(kind.rawValue)() stopped: the expression exceeded its cost limit of \(CostLimit.iterations) comprehension steps "
                            + "(nested macros over long lists)", offset: offset)
        }
    }

    private static func elements(_ range: Evaluator, _ activation: Activation, _ kind: MacroKind, _ offset: Int) throws(EvalError) -> [Value] {
        switch try range(activation) {
        case .list(let items): return items
        case let other: throw EvalError("\(kind.rawValue)() needs a list, got \(other.typeName)", offset: offset)
        }
    }

    private static func test(_ p: Evaluator, _ activation: Activation, _ kind: MacroKind, _ offset: Int) throws(EvalError) -> Bool {
        switch try p(activation) {
        case .bool(let b): return b
        case let other: throw EvalError("the condition of \(kind.rawValue)() gave \(other.typeName), not bool", offset: offset)
        }
    }

    /// `all` or `exists` as a condition: the one implementation of their error rules (`all` is
    /// false if any element is false even when others error, `exists` true if any is true;
    /// otherwise the first error wins), used by value and condition closures alike.
    static func decision(_ kind: MacroKind, slot: Int, range: @escaping Evaluator, predicate: @escaping BoolEvaluator,
                         offset: Int) -> BoolEvaluator {
        let decisive = kind == .exists
        return { (activation) throws(EvalError) in
            let saved = activation.slots[slot]
            enter(activation)
            defer { activation.slots[slot] = saved; activation.comprehensionDepth -= 1 }
            var firstError: EvalError?
            for item in try elements(range, activation, kind, offset) {
                try step(activation, kind, offset)
                activation.slots[slot] = item
                do throws(EvalError) {
                    if try predicate(activation) == decisive { return decisive }
                } catch {
                    if firstError == nil { firstError = error }
                }
            }
            if let firstError { throw firstError }
            return !decisive
        }
    }

    static func build(_ kind: MacroKind, slot: Int, range: @escaping Evaluator, predicate p: @escaping Evaluator, hasPredicate: Bool,
                      transform t: @escaping Evaluator, hasTransform: Bool, offset: Int) -> Evaluator {
        switch kind {
        case .all, .exists:
            let decide = decision(kind, slot: slot, range: range, predicate: { (a) throws(EvalError) in try test(p, a, kind, offset) }, offset: offset)
            return { (activation) throws(EvalError) in .bool(try decide(activation)) }
        case .existsOne:
            return { (activation) throws(EvalError) in
                let saved = activation.slots[slot]
                enter(activation)
                defer { activation.slots[slot] = saved; activation.comprehensionDepth -= 1 }
                var count = 0
                for item in try elements(range, activation, kind, offset) {
                    try step(activation, kind, offset)
                    activation.slots[slot] = item
                    if try test(p, activation, kind, offset) { count += 1 }
                }
                return .bool(count == 1)
            }
        case .filter, .map:
            let isMap = kind == .map && hasTransform
            return { (activation) throws(EvalError) in
                let saved = activation.slots[slot]
                enter(activation)
                defer { activation.slots[slot] = saved; activation.comprehensionDepth -= 1 }
                var out: [Value] = []
                for item in try elements(range, activation, kind, offset) {
                    try step(activation, kind, offset)
                    activation.slots[slot] = item
                    if hasPredicate, try !test(p, activation, kind, offset) { continue }
                    out.append(isMap ? try t(activation) : item)
                }
                return .list(out)
            }
        }
    }
}
