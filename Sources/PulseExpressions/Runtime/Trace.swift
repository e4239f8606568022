/// The value (or error) of every node of an expression as it ran, for `explain`: set one on an
/// ``Activation`` and run a program compiled with `observing` (see ``Compiler/compile(_:environment:observing:)``).
///
/// A trace is per evaluation state, as the activation that holds it is: one thread writes it and
/// reads it, and it is reset before each row. Several programs run on one activation (a card's
/// `where`, measure, columns): each records under its own ``Program/traceScope``, as node ids
/// are per program.
public final class Trace {
    struct Key: Hashable {
        let scope: Int
        let id: Int
    }

    private var results: [Key: Result<Value, EvalError>] = [:]

    /// An empty trace.
    public init() {}

    /// Forgets every recorded result.
    public func reset() {
        results.removeAll(keepingCapacity: true)
    }

    func record(_ scope: Int, _ id: Int, _ result: Result<Value, EvalError>) {
        results[Key(scope: scope, id: id)] = result
    }

    /// The result of node `id` of `program`, or nil when it did not run (short-circuited).
    public func result(_ id: Int, of program: Program) -> Result<Value, EvalError>? {
        results[Key(scope: program.traceScope, id: id)]
    }
}
