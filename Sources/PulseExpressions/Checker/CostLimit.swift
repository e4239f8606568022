/// The cost budget of an expression, in the manner of cel-go's cost limits: comprehension
/// iterations (`all`, `exists`, `exists_one`, `filter`, `map`, nested ones multiplied).
///
/// At run time each outermost comprehension may take at most ``iterations`` steps, counting
/// those of the comprehensions inside it; past that the row's evaluation stops with an error
/// that is counted like any other. Before anything runs, ``estimate(_:listSize:)`` multiplies
/// the sizes of lists known in advance (literals, params, profile lists) and `validate`
/// refuses an expression that would certainly pass the limit.
public enum CostLimit {
    /// The most comprehension steps one outermost comprehension may take for one row.
    public static let iterations = 100_000

    /// The most steps `node` can take, as far as list sizes are known: a comprehension over a
    /// list of `n` items costs `n` times its body (plus its range); a list whose size is not
    /// known in advance (a row field) counts as one item, so the estimate is a lower bound.
    /// `listSize` gives the size of a node's list when it is known (a param or profile list).
    public static func estimate(_ node: CheckedExpr, listSize: (CheckedExpr) -> Int?) -> Int {
        switch node.kind {
        case .literal, .variable: return 0
        case .field(let operand, _, _, _): return estimate(operand, listSize: listSize)
        case .list(let items): return items.reduce(0) { saturating($0, estimate($1, listSize: listSize)) }
        case .call(_, let arguments): return arguments.reduce(0) { saturating($0, estimate($1, listSize: listSize)) }
        case .comprehension(_, _, _, let range, let predicate, let transform):
            let size: Int
            if case .list(let items) = range.kind { size = items.count } else { size = listSize(range) ?? 1 }
            let body = saturating(predicate.map { estimate($0, listSize: listSize) } ?? 0,
                                  transform.map { estimate($0, listSize: listSize) } ?? 0)
            let (product, overflow) = max(size, 1).multipliedReportingOverflow(by: saturating(body, 1))
            return saturating(estimate(range, listSize: listSize), overflow ? Int.max : product)
        }
    }

    private static func saturating(_ a: Int, _ b: Int) -> Int {
        let (sum, overflow) = a.addingReportingOverflow(b)
        return overflow ? Int.max : sum
    }
}
