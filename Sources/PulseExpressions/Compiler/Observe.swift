/// The observe decorator: wraps a node's closure so that it records the node's result in the
/// activation's ``Activation/trace`` (cel-go's `interpreter/decorators.go`). The closure it wraps is
/// the planner's own, fast paths included, so a traced run computes what an untraced one does;
/// with no trace on the activation a wrapped closure records nothing.
enum Observe {
    /// `evaluator`, recording the value or error of `node` (and the leaves it fused).
    static func value(_ node: CheckedExpr, scope: Int, _ evaluator: @escaping Evaluator) -> Evaluator {
        let id = node.id, leaves = fusedLeaves(node)
        return { (activation) throws(EvalError) in
            do throws(EvalError) {
                let value = try evaluator(activation)
                if let trace = activation.trace { trace.record(scope, id, .success(value)); record(leaves, scope, activation, trace) }
                return value
            } catch {
                if let trace = activation.trace { trace.record(scope, id, .failure(error)); record(leaves, scope, activation, trace) }
                throw error
            }
        }
    }

    /// `condition`, recording the result of `node` as a bool value (or its error).
    static func condition(_ node: CheckedExpr, scope: Int, _ condition: @escaping BoolEvaluator) -> BoolEvaluator {
        let id = node.id, leaves = fusedLeaves(node)
        return { (activation) throws(EvalError) in
            do throws(EvalError) {
                let holds = try condition(activation)
                if let trace = activation.trace { trace.record(scope, id, .success(.bool(holds))); record(leaves, scope, activation, trace) }
                return holds
            } catch {
                if let trace = activation.trace { trace.record(scope, id, .failure(error)); record(leaves, scope, activation, trace) }
                throw error
            }
        }
    }

    /// A leaf a fast path reads without a closure of its own: a literal operand (a constant list's
    /// items, a string compared by bytes) or the row variable of a field read in one closure.
    enum Leaf {
        case literal(id: Int, Value)
        case variable(id: Int, slot: Int)
    }

    /// The direct children of `node` that a fast path may fuse into it.
    static func fusedLeaves(_ node: CheckedExpr) -> [Leaf] {
        func leaf(_ child: CheckedExpr) -> Leaf? {
            if case .literal(let value) = child.kind { return .literal(id: child.id, value) }
            return nil
        }
        switch node.kind {
        case .field(let operand, _, _, _):
            if case .variable(_, let slot) = operand.kind { return [.variable(id: operand.id, slot: slot)] }
            return []
        case .list(let items): return items.compactMap(leaf)
        case .call(let function, let arguments) where function != Operator.and && function != Operator.or && function != Operator.conditional:
            return arguments.compactMap(leaf)
        default: return []
        }
    }

    private static func record(_ leaves: [Leaf], _ scope: Int, _ activation: Activation, _ trace: Trace) {
        for leaf in leaves {
            switch leaf {
            case .literal(let id, let value): trace.record(scope, id, .success(value))
            case .variable(let id, let slot): trace.record(scope, id, .success(activation.slots[slot]))
            }
        }
    }
}
