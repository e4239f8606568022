/// Records the value (or error) of every node of an expression as it runs, for `explain`.
///
/// A program compiled with a trace wraps each node's closure to record its result; a program
/// compiled without one has no wrappers at all, so tracing costs nothing when it is off. One
/// trace belongs to one thread: reset it before each row.
// @unchecked: a trace is written and read by the one thread that runs `explain` (see above);
// it is Sendable only so that compiled programs holding it can be.
public final class Trace: @unchecked Sendable {
    /// The results by node id, for the nodes that ran.
    public private(set) var results: [Int: Result<Value, EvalError>] = [:]

    /// An empty trace.
    public init() {}

    /// Forgets every recorded result.
    public func reset() {
        results.removeAll(keepingCapacity: true)
    }

    func record(_ id: Int, _ result: Result<Value, EvalError>) {
        results[id] = result
    }

    /// The result of node `id`, or nil when it did not run (short-circuited).
    public func result(_ id: Int) -> Result<Value, EvalError>? { results[id] }
}
