/// The list macros `all`, `exists`, `exists_one`, `filter` and `map`, with CEL's error rules:
/// `all` is false if any element is false (even when others error), `exists` is true if any is
/// true; otherwise an error wins. `exists_one`, `filter` and `map` propagate errors.
enum Comprehensions {
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

    static func build(_ kind: MacroKind, slot: Int, range: @escaping Evaluator, predicate p: @escaping Evaluator, hasPredicate: Bool,
                      transform t: @escaping Evaluator, hasTransform: Bool, offset: Int) -> Evaluator {
        switch kind {
        case .all, .exists:
            let decisive = kind == .exists
            return { (activation) throws(EvalError) in
                let saved = activation.slots[slot]
                defer { activation.slots[slot] = saved }
                var firstError: EvalError?
                for item in try elements(range, activation, kind, offset) {
                    activation.slots[slot] = item
                    do throws(EvalError) {
                        if try test(p, activation, kind, offset) == decisive { return .bool(decisive) }
                    } catch {
                        if firstError == nil { firstError = error }
                    }
                }
                if let firstError { throw firstError }
                return .bool(!decisive)
            }
        case .existsOne:
            return { (activation) throws(EvalError) in
                let saved = activation.slots[slot]
                defer { activation.slots[slot] = saved }
                var count = 0
                for item in try elements(range, activation, kind, offset) {
                    activation.slots[slot] = item
                    if try test(p, activation, kind, offset) { count += 1 }
                }
                return .bool(count == 1)
            }
        case .filter, .map:
            let isMap = kind == .map && hasTransform
            return { (activation) throws(EvalError) in
                let saved = activation.slots[slot]
                defer { activation.slots[slot] = saved }
                var out: [Value] = []
                for item in try elements(range, activation, kind, offset) {
                    activation.slots[slot] = item
                    if hasPredicate, try !test(p, activation, kind, offset) { continue }
                    out.append(isMap ? try t(activation) : item)
                }
                return .list(out)
            }
        }
    }
}
