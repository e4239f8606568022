import PulseConfig
import PulseDiagnostics
import PulseExpressions

/// Refuses, before anything runs, a card whose expressions would certainly pass the cost limit
/// (``CostLimit``): nested comprehensions over lists whose sizes are known in advance (literals,
/// the card's params, the profile's lists).
enum CostCheck {
    /// A diagnostic per expression of `compiled` estimated past the limit, with `params` (in
    /// declaration order) and, when known, the `profile`.
    static func diagnostics(_ compiled: CompiledCard, params: [Value], profile: ResolvedProfile?) -> [Diagnostic] {
        let profileObject = profile.map(ProfileObject.init)
        func listSize(_ node: CheckedExpr) -> Int? {
            guard case .field(let operand, _, let index?, _) = node.kind, case .variable(_, let slot) = operand.kind else { return nil }
            let value: Value
            switch slot {
            case Slots.params: value = index < params.count ? params[index] : .null
            case Slots.profile: value = profileObject?.field(index) ?? .null
            default: return nil
            }
            if case .list(let items) = value { return items.count }
            return nil
        }
        return compiled.parts.compactMap { part in
            let estimate = CostLimit.estimate(part.program.checked, listSize: listSize)
            guard estimate > CostLimit.iterations else { return nil }
            return .error(.expressionCost, "\(part.field): this expression takes at least \(estimate) comprehension steps a row "
                          + "(nested macros over lists of known size), past the limit of \(CostLimit.iterations); "
                          + "use `in` or a shorter list", at: part.expression.location(ofOffset: part.program.checked.offset))
        }
    }
}
