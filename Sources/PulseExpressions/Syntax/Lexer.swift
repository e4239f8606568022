/// Splits CEL source into tokens: numbers (decimal, hex, exponents), strings in every quoting CEL
/// has (single, double, triple, raw) with every escape, identifiers, keywords and operators.
struct Lexer {
    private let scalars: [Unicode.Scalar]
    private var position = 0

    init(_ text: String) {
        scalars = Array(text.unicodeScalars)
    }

    static let reserved: Set<String> = [
        "as", "break", "const", "continue", "else", "for", "function", "if", "import", "let", "loop",
        "package", "namespace", "return", "var", "void", "while",
    ]

    mutating func tokenize() throws(ParseError) -> [Token] {
        var tokens: [Token] = []
        while true {
            let token = try next()
            tokens.append(token)
            if token.kind == .end { return tokens }
        }
    }

    private func peek(_ ahead: Int = 0) -> Unicode.Scalar? {
        position + ahead < scalars.count ? scalars[position + ahead] : nil
    }

    private mutating func skipSpaceAndComments() {
        while let c = peek() {
            if c == " " || c == "\t" || c == "\n" || c == "\r" || c == "\u{0C}" {
                position += 1
            } else if c == "/", peek(1) == "/" {
                while let d = peek(), d != "\n" { _ = d; position += 1 }
            } else {
                return
            }
        }
    }

    private mutating func next() throws(ParseError) -> Token {
        skipSpaceAndComments()
        let start = position
        guard let c = peek() else { return Token(kind: .end, offset: start, length: 0) }

        if isDigit(c) || (c == "." && peek(1).map(isDigit) == true) {
            return try number(start)
        }
        if c == "\"" || c == "'" {
            return try string(start, raw: false)
        }
        if (c == "r" || c == "R"), let q = peek(1), q == "\"" || q == "'" {
            position += 1
            return try string(start, raw: true)
        }
        if (c == "b" || c == "B"), let q = peek(1), q == "\"" || q == "'" || q == "r" || q == "R" {
            throw ParseError(offset: start, message: "bytes literals are not supported in Pulse expressions")
        }
        if isIdentifierStart(c) {
            var name = ""
            while let d = peek(), isIdentifierStart(d) || isDigit(d) {
                name.unicodeScalars.append(d)
                position += 1
            }
            let kind: Token.Kind
            switch name {
            case "true": kind = .true
            case "false": kind = .false
            case "null": kind = .null
            case "in": kind = .in
            default:
                if Lexer.reserved.contains(name) {
                    throw ParseError(offset: start, message: "'\(name)' is a reserved word in CEL")
                }
                kind = .identifier(name)
            }
            return Token(kind: kind, offset: start, length: position - start)
        }
        let two = peek(1).map { String(c) + String($0) } ?? ""
        if ["==", "!=", "<=", ">=", "&&", "||"].contains(two) {
            position += 2
            return Token(kind: .punct(two), offset: start, length: 2)
        }
        if "+-*/%<>!?:.,()[]{}".unicodeScalars.contains(c) {
            position += 1
            return Token(kind: .punct(String(c)), offset: start, length: 1)
        }
        if c == "=" {
            throw ParseError(offset: start, message: "'=' is not an operator; use '==' to compare")
        }
        if c == "&" || c == "|" {
            throw ParseError(offset: start, message: "'\(c)' is not an operator; use '\(c)\(c)'")
        }
        throw ParseError(offset: start, message: "unexpected character '\(c.escaped(asASCII: false))'")
    }

    private func isDigit(_ c: Unicode.Scalar) -> Bool { c >= "0" && c <= "9" }
    private func isHexDigit(_ c: Unicode.Scalar) -> Bool { isDigit(c) || (c >= "a" && c <= "f") || (c >= "A" && c <= "F") }
    private func isIdentifierStart(_ c: Unicode.Scalar) -> Bool { (c >= "a" && c <= "z") || (c >= "A" && c <= "Z") || c == "_" }

    private mutating func number(_ start: Int) throws(ParseError) -> Token {
        if peek() == "0", let x = peek(1), x == "x" || x == "X" {
            position += 2
            var digits = ""
            while let d = peek(), isHexDigit(d) { digits.unicodeScalars.append(d); position += 1 }
            guard !digits.isEmpty, let value = UInt64(digits, radix: 16) else {
                throw ParseError(offset: start, message: "invalid hexadecimal literal")
            }
            return try intSuffix(value, start)
        }
        var text = ""
        var isDouble = false
        while let d = peek(), isDigit(d) { text.unicodeScalars.append(d); position += 1 }
        if peek() == ".", peek(1).map(isDigit) == true {
            isDouble = true
            text.append("."); position += 1
            while let d = peek(), isDigit(d) { text.unicodeScalars.append(d); position += 1 }
        }
        if let e = peek(), e == "e" || e == "E" {
            var lookahead = 1
            if let s = peek(1), s == "+" || s == "-" { lookahead = 2 }
            if peek(lookahead).map(isDigit) == true {
                isDouble = true
                for _ in 0..<lookahead { text.unicodeScalars.append(scalars[position]); position += 1 }
                while let d = peek(), isDigit(d) { text.unicodeScalars.append(d); position += 1 }
            }
        }
        if isDouble {
            guard let value = Double(text.hasPrefix(".") ? "0" + text : text) else {
                throw ParseError(offset: start, message: "invalid number '\(text)'")
            }
            return Token(kind: .double(value), offset: start, length: position - start)
        }
        guard let value = UInt64(text) else {
            throw ParseError(offset: start, message: "integer literal \(text) is out of range")
        }
        return try intSuffix(value, start)
    }

    private mutating func intSuffix(_ value: UInt64, _ start: Int) throws(ParseError) -> Token {
        if let u = peek(), u == "u" || u == "U" {
            position += 1
            throw ParseError(offset: start, message: "unsigned integers are not supported in Pulse expressions")
        }
        return Token(kind: .int(value), offset: start, length: position - start)
    }

    private mutating func string(_ start: Int, raw: Bool) throws(ParseError) -> Token {
        guard let quote = peek() else { throw ParseError(offset: start, message: "unterminated string") }
        let triple = peek(1) == quote && peek(2) == quote
        position += triple ? 3 : 1
        var value = ""
        while true {
            guard let c = peek() else {
                throw ParseError(offset: start, message: "unterminated string literal")
            }
            if triple {
                if c == quote, peek(1) == quote, peek(2) == quote {
                    position += 3
                    break
                }
            } else {
                if c == quote { position += 1; break }
                if c == "\n" || c == "\r" {
                    throw ParseError(offset: position, message: "line break inside a quoted string; use \\n or triple quotes")
                }
            }
            if c == "\\" && !raw {
                value.unicodeScalars.append(try escape())
                continue
            }
            value.unicodeScalars.append(c)
            position += 1
        }
        return Token(kind: .string(value), offset: start, length: position - start)
    }

    private mutating func escape() throws(ParseError) -> Unicode.Scalar {
        let start = position
        position += 1
        guard let c = peek() else { throw ParseError(offset: start, message: "unterminated escape") }
        position += 1
        switch c {
        case "a": return "\u{07}"
        case "b": return "\u{08}"
        case "f": return "\u{0C}"
        case "n": return "\n"
        case "r": return "\r"
        case "t": return "\t"
        case "v": return "\u{0B}"
        case "\\", "?", "\"", "'", "`": return c
        case "x", "X": return try hexEscape(digits: 2, start)
        case "u": return try hexEscape(digits: 4, start)
        case "U": return try hexEscape(digits: 8, start)
        case "0"..."3":
            var value = c.value - 48
            for _ in 0..<2 {
                guard let d = peek(), d >= "0" && d <= "7" else {
                    throw ParseError(offset: start, message: "octal escape needs three digits")
                }
                value = value * 8 + d.value - 48
                position += 1
            }
            guard let scalar = Unicode.Scalar(value) else { throw ParseError(offset: start, message: "invalid octal escape") }
            return scalar
        default:
            throw ParseError(offset: start, message: "invalid escape '\\\(c)'")
        }
    }

    private mutating func hexEscape(digits: Int, _ start: Int) throws(ParseError) -> Unicode.Scalar {
        var value: UInt32 = 0
        for _ in 0..<digits {
            guard let d = peek(), isHexDigit(d), let v = UInt32(String(d), radix: 16) else {
                throw ParseError(offset: start, message: "escape needs \(digits) hexadecimal digits")
            }
            value = value * 16 + v
            position += 1
        }
        guard let scalar = Unicode.Scalar(value) else {
            throw ParseError(offset: start, message: "escape \\u{\(String(value, radix: 16))} is not a Unicode scalar value")
        }
        return scalar
    }
}
