/// The values an expression sees while it runs: one slot per variable (and per macro variable).
///
/// One activation is reused across rows: the evaluator overwrites the row's slots and runs the
/// program again, so nothing is allocated per row.
public final class Activation {
    /// The slot values: fixed storage, indexed by slots resolved at compile time (so no
    /// exclusivity checks per access; bounds are asserted in debug builds).
    public let slots: SlotStorage
    /// How many slots there are.
    public var slotCount: Int { slots.count }
    /// Comprehension iterations spent by the outermost comprehension being evaluated (see
    /// ``CostLimit``).
    var steps = 0
    /// How deep inside comprehensions the evaluation is (0: in none).
    var comprehensionDepth = 0
    /// The zone of timestamp accessors called without one (`t.getHours()`): the profile's
    /// `timezone` in cards, UTC otherwise.
    public var timeZone = CELTimeZone.utc
    /// Where programs compiled with `observing` record each node's result (nil: nothing is
    /// recorded). It belongs to this evaluation's state, not to the program.
    public var trace: Trace?

    /// An activation with `slotCount` null slots.
    public init(slotCount: Int) {
        slots = SlotStorage(count: slotCount)
    }

    deinit {
        slots.deallocate()
    }
}

/// The slots of an ``Activation``: the one place expression evaluation touches raw memory. It
/// owns `count` initialized values from `init` until ``deallocate()`` (its activation's deinit);
/// every access is bounds-checked in debug builds.
public struct SlotStorage {
    private let base: UnsafeMutablePointer<Value>
    /// How many slots.
    public let count: Int

    init(count: Int) {
        self.count = count
        base = UnsafeMutablePointer<Value>.allocate(capacity: max(1, count))
        base.initialize(repeating: .null, count: max(1, count))
    }

    func deallocate() {
        base.deinitialize(count: max(1, count))
        base.deallocate()
    }

    /// The value in slot `index`.
    @inline(__always)
    public subscript(index: Int) -> Value {
        get {
            assert(index >= 0 && index < count, "slot \(index) of \(count)")
            return base[index]
        }
        nonmutating set {
            assert(index >= 0 && index < count, "slot \(index) of \(count)")
            base[index] = newValue
        }
    }
}

/// A compiled node: evaluates against an activation.
public typealias Evaluator = @Sendable (Activation) throws(EvalError) -> Value

/// A compiled expression: its static type and a tree of closures.
public struct Program: Sendable {
    /// The expression's static type.
    public let type: CELType
    /// Slots the activation needs (variables and macro variables).
    public let slotCount: Int
    /// The checked tree the closures were built from (for explanation and tooling).
    public let checked: CheckedExpr
    /// Where an observing program's nodes record in a ``Trace`` (see ``Compiler/compile(_:environment:observing:traceScope:)``).
    public let traceScope: Int
    // Internal, not private, so that the compiler makes them with the synthesized memberwise init.
    let root: Evaluator
    var condition: BoolEvaluator? = nil

    /// A closure that runs the program as a condition, returning `Bool` (the fast path for a
    /// bool-typed program; otherwise it checks the value is a bool).
    public var conditionClosure: BoolEvaluator {
        if let condition { return condition }
        let root = self.root, offset = checked.offset
        return { (a) throws(EvalError) in
            let v = try root(a)
            if case .bool(let b) = v { return b }
            throw EvalError("expected a bool, got \(v.typeName)", offset: offset)
        }
    }

    /// The program's closure, for callers that run it in a tight loop.
    public var closure: Evaluator { root }

    /// Runs the program.
    ///
    /// - Throws: ``EvalError`` when the expression has no value for this activation (CEL's
    ///   runtime errors: division by zero, overflow, a null where a value is needed, …).
    @inline(__always)
    public func evaluate(_ activation: Activation) throws(EvalError) -> Value {
        try root(activation)
    }

    /// Runs the program and requires a bool.
    public func evaluateBool(_ activation: Activation) throws(EvalError) -> Bool {
        switch try root(activation) {
        case .bool(let b): return b
        case let other: throw EvalError("expected a bool, got \(other.typeName)", offset: checked.offset)
        }
    }
}
