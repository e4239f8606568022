import PulseDiagnostics
/// Writes a checked expression back as CEL source, with only the parentheses it needs; used to
/// show sub-expressions in explanations.
public enum ExpressionPrinter {
    /// The source text of `node`.
    public static func text(_ node: CheckedExpr) -> String {
        print(node, parentPrecedence: 0)
    }

    private static func precedence(_ function: String) -> Int {
        switch function {
        case Operator.conditional: return 1
        case Operator.or: return 2
        case Operator.and: return 3
        case Operator.equals, Operator.notEquals, Operator.less, Operator.lessOrEqual, Operator.greater, Operator.greaterOrEqual, Operator.in: return 4
        case Operator.add, Operator.subtract: return 5
        case Operator.multiply, Operator.divide, Operator.modulo: return 6
        case Operator.not, Operator.negate: return 7
        default: return 9
        }
    }

    private static func print(_ node: CheckedExpr, parentPrecedence: Int) -> String {
        switch node.kind {
        case .literal(let value):
            switch value {
            case .string(let s): return JSONText.quote(s)  // a valid CEL string literal too
            default: return ValueJSON().plain(value)
            }
        case .variable(let name, _): return name
        case .list(let items): return "[" + items.map { print($0, parentPrecedence: 0) }.joined(separator: ", ") + "]"
        case .field(let operand, let name, _, let testOnly):
            let inner = print(operand, parentPrecedence: 8) + "." + name
            return testOnly ? "has(\(inner))" : inner
        case .comprehension(let kind, let variable, _, let range, let predicate, let transform):
            let args = [variable] + [predicate, transform].compactMap { $0 }.map { print($0, parentPrecedence: 0) }
            return print(range, parentPrecedence: 8) + ".\(kind.rawValue)(" + args.joined(separator: ", ") + ")"
        case .call(let function, let args):
            let p = precedence(function)
            let text: String
            switch function {
            case Operator.not: text = "!" + print(args[0], parentPrecedence: 7)
            case Operator.negate: text = "-" + print(args[0], parentPrecedence: 7)
            case Operator.conditional:
                text = print(args[0], parentPrecedence: 2) + " ? " + print(args[1], parentPrecedence: 2) + " : " + print(args[2], parentPrecedence: 1)
            case Operator.index: text = print(args[0], parentPrecedence: 8) + "[" + print(args[1], parentPrecedence: 0) + "]"
            default:
                if p < 9 {
                    // Left-associative: the right operand needs parentheses at equal precedence.
                    text = print(args[0], parentPrecedence: p) + " \(Operator.display(function)) " + print(args[1], parentPrecedence: p + 1)
                } else if let target = methodTarget(function, args) {
                    text = print(target, parentPrecedence: 8) + ".\(function)(" + args.dropFirst().map { print($0, parentPrecedence: 0) }.joined(separator: ", ") + ")"
                } else {
                    text = "\(function)(" + args.map { print($0, parentPrecedence: 0) }.joined(separator: ", ") + ")"
                }
            }
            return p < parentPrecedence ? "(\(text))" : text
        }
    }

    private static func methodTarget(_ function: String, _ args: [CheckedExpr]) -> CheckedExpr? {
        StandardLibrary.lookup(function)?.style == .method ? args.first : nil
    }
}
