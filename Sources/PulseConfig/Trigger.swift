import Foundation

/// A comparison of a card's value against a threshold: `> 0`, `>= 5`, `< 90`, `== 0`, `!= 0`.
public struct Trigger: Sendable, Hashable, CustomStringConvertible {
    /// The comparison operators a trigger may use.
    public enum Operator: String, Sendable, CaseIterable {
        case greater = ">"
        case greaterOrEqual = ">="
        case less = "<"
        case lessOrEqual = "<="
        case equal = "=="
        case notEqual = "!="
    }

    /// The comparison.
    public var op: Operator
    /// The threshold, which may be a decimal.
    public var threshold: Double

    /// Creates a trigger.
    public init(_ op: Operator, _ threshold: Double) {
        self.op = op
        self.threshold = threshold
    }

    /// Parses `OP NUMBER` (spaces optional, the number may be negative or decimal).
    public init?(parsing text: String) {
        let trimmed = text.trimmed(of: " \t")
        let ops: [Operator] = [.greaterOrEqual, .lessOrEqual, .equal, .notEqual, .greater, .less]
        guard let op = ops.first(where: { trimmed.hasPrefix($0.rawValue) }) else { return nil }
        let number = String(trimmed.dropFirst(op.rawValue.count)).trimmed(of: " \t")
        guard number.range(of: #"^-?[0-9]+(\.[0-9]+)?$"#, options: .regularExpression) != nil,
              let threshold = Double(number)
        else { return nil }
        self.init(op, threshold)
    }

    /// Whether the trigger holds for `value`.
    public func holds(_ value: Double) -> Bool {
        switch op {
        case .greater: return value > threshold
        case .greaterOrEqual: return value >= threshold
        case .less: return value < threshold
        case .lessOrEqual: return value <= threshold
        case .equal: return value == threshold
        case .notEqual: return value != threshold
        }
    }

    /// Whether every value for which `other` holds makes this trigger hold too (so that `other`,
    /// a warn level under this critical one, could never show on its own).
    public func includes(_ other: Trigger) -> Bool {
        let a = other.threshold, b = threshold
        switch (other.op, op) {
        case (.greater, .greater), (.greater, .greaterOrEqual), (.greaterOrEqual, .greaterOrEqual): return a >= b
        case (.greaterOrEqual, .greater): return a > b
        case (.less, .less), (.less, .lessOrEqual), (.lessOrEqual, .lessOrEqual): return a <= b
        case (.lessOrEqual, .less): return a < b
        case (.greater, .notEqual), (.less, .notEqual): return other.op == .greater ? a >= b : a <= b
        case (.greaterOrEqual, .notEqual): return a > b
        case (.lessOrEqual, .notEqual): return a < b
        case (.equal, _): return holds(a)
        case (.notEqual, .notEqual): return a == b
        default: return false
        }
    }

    /// `> 0`, `>= 2.5`.
    public var description: String {
        "\(op.rawValue) \(Trigger.format(threshold))"
    }
}

extension String {
    func trimmed(of set: String) -> String {
        var s = Substring(self)
        while let first = s.first, set.contains(first) { s = s.dropFirst() }
        while let last = s.last, set.contains(last) { s = s.dropLast() }
        return String(s)
    }
}
