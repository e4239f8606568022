/// A recursive-descent parser for the CEL grammar (cel-spec `langdef.md`), expanding macros.
///
///     expr     = or ["?" or ":" expr]
///     or       = and {"||" and}
///     and      = rel {"&&" rel}
///     rel      = add {("<"|"<="|">="|">"|"=="|"!="|"in") add}
///     add      = mul {("+"|"-") mul}
///     mul      = unary {("*"|"/"|"%") unary}
///     unary    = member | "!" {"!"} member | "-" {"-"} member
///     member   = primary {"." IDENT ["(" args ")"] | "[" expr "]"}
///     primary  = IDENT ["(" args ")"] | "(" expr ")" | "[" list "]" | literal
public struct Parser {
    private var tokens: [Token]
    private var index = 0
    private var nextID = 1
    private var depth = 0
    /// The deepest tree an expression may make (cel-go's default parser recursion limit).
    public static let maxDepth = 250
    /// The most nodes an expression may have.
    public static let maxNodes = 25_000
    /// The longest expression, in Unicode scalars (cel-go's default expression size limit).
    public static let maxLength = 100_000

    /// Parses `text` into an expression tree.
    ///
    /// - Throws: ``ParseError`` at the first syntax error.
    public static func parse(_ text: String) throws(ParseError) -> Expr {
        guard text.unicodeScalars.count <= maxLength else {
            throw ParseError(offset: 0, message: "expression is longer than \(maxLength) characters")
        }
        var lexer = Lexer(text)
        var parser = Parser(tokens: try lexer.tokenize())
        let expr = try parser.expression()
        guard case .end = parser.current.kind else {
            throw ParseError(offset: parser.current.offset, message: "unexpected \(parser.describe(parser.current)) after the end of the expression")
        }
        return expr
    }

    private init(tokens: [Token]) {
        self.tokens = tokens
    }

    private var current: Token { tokens[index] }

    private mutating func advance() -> Token {
        let token = tokens[index]
        if index < tokens.count - 1 { index += 1 }
        return token
    }

    private func isPunct(_ p: String) -> Bool {
        if case .punct(let q) = current.kind { return q == p }
        return false
    }

    private mutating func expect(_ p: String, _ context: String) throws(ParseError) {
        guard isPunct(p) else {
            throw ParseError(offset: current.offset, message: "expected '\(p)' \(context), found \(describe(current))")
        }
        _ = advance()
    }

    private func describe(_ token: Token) -> String {
        switch token.kind {
        case .end: return "the end of the expression"
        case .punct(let p): return "'\(p)'"
        case .identifier(let name): return "'\(name)'"
        case .int, .uint, .double: return "a number"
        case .string: return "a string"
        case .bytes: return "bytes"
        case .true: return "'true'"
        case .false: return "'false'"
        case .null: return "'null'"
        case .in: return "'in'"
        }
    }

    /// A new node; refused when it would make the tree deeper than ``maxDepth`` (a chain such as
    /// `1+1+...` nests as deeply as a parenthesised one) or hold more than ``maxNodes`` nodes,
    /// so that no later recursive walk (checker, compiler, evaluation, release) can run out of stack.
    private mutating func make(_ kind: Expr.Kind, _ offset: Int) throws(ParseError) -> Expr {
        let height = 1 + Expr.childHeight(kind)
        guard height <= Parser.maxDepth else {
            throw ParseError(offset: offset, message: "expression nests deeper than \(Parser.maxDepth) levels (a chain of operators counts each one); split it up")
        }
        guard nextID <= Parser.maxNodes else {
            throw ParseError(offset: offset, message: "expression has more than \(Parser.maxNodes) parts; split it up")
        }
        defer { nextID += 1 }
        return Expr(id: nextID, kind: kind, offset: offset, height: height)
    }

    private mutating func call(_ function: String, _ offset: Int, _ arguments: [Expr], target: Expr? = nil) throws(ParseError) -> Expr {
        try make(.call(function: function, target: target, arguments: arguments), offset)
    }

    private mutating func nested() throws(ParseError) {
        depth += 1
        if depth > Parser.maxDepth {
            throw ParseError(offset: current.offset, message: "expression nests deeper than \(Parser.maxDepth) levels")
        }
    }

    mutating func expression() throws(ParseError) -> Expr {
        try nested()
        defer { depth -= 1 }
        let condition = try or()
        guard isPunct("?") else { return condition }
        let offset = advance().offset
        let whenTrue = try or()
        try expect(":", "in a conditional (cond ? a : b)")
        let whenFalse = try expression()
        return try call(Operator.conditional, offset, [condition, whenTrue, whenFalse])
    }

    private mutating func or() throws(ParseError) -> Expr {
        try leftAssociative("||", Operator.or) { (p: inout Parser) throws(ParseError) in try p.and() }
    }

    private mutating func and() throws(ParseError) -> Expr {
        try leftAssociative("&&", Operator.and) { (p: inout Parser) throws(ParseError) in try p.relation() }
    }

    /// `operand (symbol operand)*`, grouped from the left: `a || b || c` is `(a || b) || c`.
    private mutating func leftAssociative(_ symbol: String, _ function: String,
                                          _ operand: (inout Parser) throws(ParseError) -> Expr) throws(ParseError) -> Expr {
        var left = try operand(&self)
        while isPunct(symbol) {
            let offset = advance().offset
            left = try call(function, offset, [left, try operand(&self)])
        }
        return left
    }

    private mutating func relation() throws(ParseError) -> Expr {
        var left = try addition()
        while true {
            let function: String
            switch current.kind {
            case .punct("<"): function = Operator.less
            case .punct("<="): function = Operator.lessOrEqual
            case .punct(">"): function = Operator.greater
            case .punct(">="): function = Operator.greaterOrEqual
            case .punct("=="): function = Operator.equals
            case .punct("!="): function = Operator.notEquals
            case .in: function = Operator.in
            default: return left
            }
            let offset = advance().offset
            left = try call(function, offset, [left, try addition()])
        }
    }

    private mutating func addition() throws(ParseError) -> Expr {
        var left = try multiplication()
        while isPunct("+") || isPunct("-") {
            let token = advance()
            left = try call(token.kind == .punct("+") ? Operator.add : Operator.subtract, token.offset, [left, try multiplication()])
        }
        return left
    }

    private mutating func multiplication() throws(ParseError) -> Expr {
        var left = try unary()
        while isPunct("*") || isPunct("/") || isPunct("%") {
            let token = advance()
            let function = token.kind == .punct("*") ? Operator.multiply : token.kind == .punct("/") ? Operator.divide : Operator.modulo
            left = try call(function, token.offset, [left, try unary()])
        }
        return left
    }

    private mutating func unary() throws(ParseError) -> Expr {
        try nested()
        defer { depth -= 1 }
        if isPunct("!") {
            var offsets: [Int] = []
            while isPunct("!") { offsets.append(advance().offset) }
            var operand = try member()
            for offset in offsets.reversed() { operand = try call(Operator.not, offset, [operand]) }
            return operand
        }
        if isPunct("-") {
            var offsets: [Int] = []
            while isPunct("-") { offsets.append(advance().offset) }
            // A minus written straight before a number is part of the literal, so that
            // -9223372036854775808 is a valid int.
            if case .int(let magnitude) = current.kind, !followedByMember() {
                let token = advance()
                guard magnitude <= UInt64(Int64.max) + 1 else {
                    throw ParseError(offset: token.offset, message: "integer literal is out of range")
                }
                let value = magnitude == UInt64(Int64.max) + 1 ? Int64.min : -Int64(magnitude)
                var operand = try make(.int(value), offsets.removeLast())
                for offset in offsets.reversed() { operand = try call(Operator.negate, offset, [operand]) }
                return operand
            }
            if case .double(let value) = current.kind, !followedByMember() {
                let token = advance()
                _ = token
                var operand = try make(.double(-value), offsets.removeLast())
                for offset in offsets.reversed() { operand = try call(Operator.negate, offset, [operand]) }
                return operand
            }
            var operand = try member()
            for offset in offsets.reversed() { operand = try call(Operator.negate, offset, [operand]) }
            return operand
        }
        return try member()
    }

    /// Whether the token after the current one continues a member expression (`.x`, `[i]`),
    /// in which case a leading minus applies to the whole member, not the literal.
    private func followedByMember() -> Bool {
        guard index + 1 < tokens.count else { return false }
        if case .punct(let p) = tokens[index + 1].kind { return p == "." || p == "[" }
        return false
    }

    private mutating func member() throws(ParseError) -> Expr {
        var operand = try primary()
        while true {
            if isPunct(".") {
                let dot = advance()
                guard case .identifier(let name) = current.kind else {
                    throw ParseError(offset: current.offset, message: "expected a field or method name after '.', found \(describe(current))")
                }
                let nameToken = advance()
                if isPunct("(") {
                    _ = advance()
                    let arguments = try argumentList()
                    operand = try methodCall(name, target: operand, arguments: arguments, offset: nameToken.offset)
                } else {
                    operand = try make(.select(operand: operand, field: name, testOnly: false), nameToken.offset)
                }
                _ = dot
            } else if isPunct("[") {
                let offset = advance().offset
                let subscriptExpr = try expression()
                try expect("]", "to close the index")
                operand = try call(Operator.index, offset, [operand, subscriptExpr])
            } else {
                return operand
            }
        }
    }

    private mutating func argumentList() throws(ParseError) -> [Expr] {
        var arguments: [Expr] = []
        if isPunct(")") { _ = advance(); return arguments }
        while true {
            arguments.append(try expression())
            if isPunct(",") { _ = advance(); continue }
            try expect(")", "to close the argument list")
            return arguments
        }
    }

    private mutating func methodCall(_ name: String, target: Expr, arguments: [Expr], offset: Int) throws(ParseError) -> Expr {
        let macros: [String: MacroKind] = ["all": .all, "exists": .exists, "exists_one": .existsOne, "filter": .filter, "map": .map]
        guard let kind = macros[name] else {
            return try call(name, offset, arguments, target: target)
        }
        let expected = kind == .map ? [2, 3] : [2]
        guard expected.contains(arguments.count) else {
            throw ParseError(offset: offset, message: "\(name)() takes \(kind == .map ? "2 or 3" : "2") arguments: a variable name and an expression")
        }
        guard case .identifier(let variable) = arguments[0].kind else {
            throw ParseError(offset: arguments[0].offset, message: "the first argument of \(name)() must be a simple variable name")
        }
        switch kind {
        case .map:
            let filter = arguments.count == 3 ? arguments[1] : nil
            return try make(.comprehension(kind: .map, variable: variable, range: target, predicate: filter, transform: arguments.last), offset)
        default:
            return try make(.comprehension(kind: kind, variable: variable, range: target, predicate: arguments[1], transform: nil), offset)
        }
    }

    private mutating func primary() throws(ParseError) -> Expr {
        try nested()
        defer { depth -= 1 }
        let token = advance()
        switch token.kind {
        case .int(let magnitude):
            guard magnitude <= UInt64(Int64.max) else {
                throw ParseError(offset: token.offset, message: "integer literal is out of range")
            }
            return try make(.int(Int64(magnitude)), token.offset)
        case .uint:
            throw ParseError(offset: token.offset, message: "unsigned integers are not supported")
        case .double(let value): return try make(.double(value), token.offset)
        case .string(let value): return try make(.string(value), token.offset)
        case .bytes: throw ParseError(offset: token.offset, message: "bytes are not supported")
        case .true: return try make(.bool(true), token.offset)
        case .false: return try make(.bool(false), token.offset)
        case .null: return try make(.null, token.offset)
        case .identifier(let name):
            if isPunct("(") {
                _ = advance()
                let arguments = try argumentList()
                if name == "has" {
                    guard arguments.count == 1, case .select(let operand, let field, _) = arguments[0].kind else {
                        throw ParseError(offset: token.offset, message: "has() takes one field selection, such as has(listing.rejection_reason)")
                    }
                    return try make(.select(operand: operand, field: field, testOnly: true), token.offset)
                }
                return try call(name, token.offset, arguments)
            }
            return try make(.identifier(name), token.offset)
        case .punct("("):
            let inner = try expression()
            try expect(")", "to close '('")
            return inner
        case .punct("["):
            var elements: [Expr] = []
            if isPunct("]") { _ = advance(); return try make(.list(elements), token.offset) }
            while true {
                elements.append(try expression())
                if isPunct(",") {
                    _ = advance()
                    if isPunct("]") { _ = advance(); break }  // trailing comma
                    continue
                }
                try expect("]", "to close the list")
                break
            }
            return try make(.list(elements), token.offset)
        case .punct("{"):
            throw ParseError(offset: token.offset, message: "maps are not supported in Pulse expressions")
        case .in:
            throw ParseError(offset: token.offset, message: "unexpected 'in': it compares a value with a list, as in x in [\"a\", \"b\"]")
        case .end:
            throw ParseError(offset: token.offset, message: "the expression ends too early")
        case .punct(let p):
            throw ParseError(offset: token.offset, message: "unexpected '\(p)'")
        }
    }
}
