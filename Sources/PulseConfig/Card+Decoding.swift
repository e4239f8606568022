import Foundation
import PulseDiagnostics
import PulseYAML

extension Card {
    /// Decodes a card from a file's root node; nil (with diagnostics) when required parts are bad.
    static func decode(_ root: YAMLNode, file: String, reader: NodeReader) -> Card? {
        guard let f = reader.fields(of: root, in: "a card", keys: CardKey.self) else { return nil }

        let key = f[.key].flatMap { reader.nonEmptyString($0.value, "key") }
        if let key, key.value.range(of: "^[a-z0-9_]+$", options: .regularExpression) == nil {
            let fixed = key.value.lowercased().replacingOccurrences(of: "[^a-z0-9_]", with: "_", options: .regularExpression)
            reader.error(.cardKeyPattern, "card key '\(key.value)' may use only a-z, 0-9 and _; try '\(fixed)'", at: key.location)
        }
        let title = f[.title].flatMap { reader.nonEmptyString($0.value, "title") }
        let description = f[.description].flatMap { reader.string($0.value, "description") }
        let connector = f[.connector].flatMap { reader.nonEmptyString($0.value, "connector") }
        let cardClass = f[.class].flatMap { reader.choice($0.value, "class", as: CardClass.self) }
        let category = f[.category].flatMap { reader.string($0.value, "category") }
        let unit = f[.unit].flatMap { reader.choice($0.value, "unit", as: CardUnit.self) }
        let window = f[.window].flatMap { decodeWindow($0.value, reader: reader) }
        let roles = f[.roles].flatMap { reader.stringList($0.value, "roles") }
        let sentimentKey = f[.sentimentKey].flatMap { reader.nonEmptyString($0.value, "sentiment_key") }
        let siblings = f[.siblings].flatMap { reader.stringList($0.value, "siblings") } ?? []
        let params = f[.params].map { decodeParams($0.value, reader: reader) } ?? []
        let from = f[.from].flatMap { reader.choice($0.value, "from", as: RowSource.self) }
        let filter = f[.where].flatMap { expression($0.value, "where", reader: reader) }
        let measure = f[.measure].flatMap { decodeMeasure($0.value, reader: reader) }
        let groupBy = f[.groupBy].flatMap { expression($0.value, "group_by", reader: reader) }
        let alert = f[.alert].flatMap { pair in pair.value.isNull ? nil : reader.alertRule(pair.value) }
        let rows = f[.rows].map { decodeRows($0.value, reader: reader) } ?? []
        let rowsWhere = f[.rowsWhere].flatMap { expression($0.value, "rows_where", reader: reader) }

        // Without these three there is nothing to check across files; a missing title or
        // connector is already an error, and the rest of the card is still checked.
        guard let key, let from, let measure else { return nil }
        return Card(
            file: file, key: key, title: title?.value ?? "", description: description?.value, connector: connector?.value ?? "",
            cardClass: cardClass ?? .nonHero, category: category?.value, unit: unit ?? .count,
            window: window ?? .realTime, roles: roles, sentimentKey: sentimentKey?.value,
            siblings: siblings, params: params, from: from, filter: filter, measure: measure, groupBy: groupBy,
            alert: alert, rows: rows, rowsWhere: rowsWhere)
    }

    private static func decodeWindow(_ node: YAMLNode, reader: NodeReader) -> CardWindow? {
        guard let s = reader.string(node, "window") else { return nil }
        if s.value == "RT" { return .realTime }
        if s.value.hasPrefix("params.") { return .param(String(s.value.dropFirst("params.".count))) }
        guard let d = ConfigDuration(parsing: s.value) else {
            reader.error(.badDuration, "window must be RT (real time), params.NAME (a duration param) or a duration such as 24h or 7d, at most \(ConfigDuration.maxDescription), not '\(s.value)'", at: node.location)
            return nil
        }
        return .trailing(d)
    }

    static func expression(_ node: YAMLNode, _ what: String, reader: NodeReader) -> Expression? {
        guard let scalar = node.scalar, !scalar.isNull else {
            reader.error(.emptyExpression, "\(what) must be an expression (a string), not \(node.kindDescription)", at: node.location)
            return nil
        }
        if scalar.value.trimmed(of: " \t\n\r").isEmpty {
            reader.error(.emptyExpression, "\(what) is empty; write an expression or remove the key", at: node.location)
            return nil
        }
        return Expression(text: scalar.value, source: scalar.textSource)
    }

    private static func decodeMeasure(_ node: YAMLNode, reader: NodeReader) -> Measure? {
        guard let whole = expression(node, "measure", reader: reader) else { return nil }
        let text = whole.text
        let trimmed = text.trimmed(of: " \t\n\r")
        if trimmed == "count" { return .count }
        let aggregates = ["count_distinct", "sum", "percent"]
        let open = text.firstIndex(of: "(")
        let name = open.map { String(text[..<$0]).trimmed(of: " \t\n\r") } ?? ""
        guard let open, trimmed.hasSuffix(")"), aggregates.contains(name) else {
            let word = String(trimmed.prefix { $0 != "(" })
            reader.error(.badMeasure, "measure must be count, count_distinct(EXPR), sum(EXPR) or percent(EXPR), not '\(trimmed)'"
                         + Suggestion.didYouMean(word, in: ["count"] + aggregates), at: node.location)
            return nil
        }
        let close = text.lastIndex(of: ")") ?? text.endIndex
        let innerStart = text.index(after: open)
        let inner = String(text[innerStart..<close])
        let offset = text.unicodeScalars.distance(from: text.unicodeScalars.startIndex, to: innerStart)
        let argument = Expression(text: inner, source: whole.source, offsetInSource: offset)
        if inner.trimmed(of: " \t\n\r").isEmpty {
            reader.error(.emptyExpression, "\(name)(…) needs an expression inside the parentheses", at: argument.location)
            return nil
        }
        switch name {
        case "count_distinct": return .countDistinct(argument)
        case "sum": return .sum(argument)
        default: return .percent(argument)
        }
    }

    private static func decodeParams(_ node: YAMLNode, reader: NodeReader) -> [ParamDeclaration] {
        guard let pairs = node.mapping else {
            reader.error(.wrongType, "params must be a mapping of parameter names to {type, default}, not \(node.kindDescription)", at: node.location)
            return []
        }
        var out: [ParamDeclaration] = []
        for pair in pairs {
            guard let name = reader.string(pair.key, "a parameter name") else { continue }
            if name.value.range(of: "^[a-z_][a-z0-9_]*$", options: .regularExpression) == nil {
                reader.error(.paramName, "parameter name '\(name.value)' may use only a-z, 0-9 and _, and not start with a digit", at: name.location)
            }
            let context = "parameter '\(name.value)'"
            guard let f = reader.fields(of: pair.value, in: context, known: ["type", "default", "description"], required: ["type", "default"]),
                  let type = f["type"].flatMap({ reader.choice($0.value, "the type of \(context)", as: ParamType.self) })
            else { continue }
            let description = f["description"].flatMap { reader.string($0.value, "the description of \(context)") }
            guard let defaultNode = f["default"]?.value,
                  let value = reader.paramValue(defaultNode, type: type, "the default of \(context)")
            else { continue }
            out.append(ParamDeclaration(name: name, type: type, defaultValue: value, description: description?.value))
        }
        return out
    }

    private static func decodeRows(_ node: YAMLNode, reader: NodeReader) -> [WorklistColumn] {
        guard let pairs = node.mapping else {
            reader.error(.wrongType, "rows must be a mapping of column names to expressions, not \(node.kindDescription)", at: node.location)
            return []
        }
        return pairs.compactMap { pair in
            guard let name = reader.nonEmptyString(pair.key, "a worklist column name"),
                  let expression = expression(pair.value, "worklist column '\(name.value)'", reader: reader)
            else { return nil }
            return WorklistColumn(name: name, expression: expression)
        }
    }
}
