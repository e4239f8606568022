import PulseDiagnostics

/// Whether a card is one of the headline numbers.
public enum CardClass: String, Sendable, CaseIterable {
    case hero
    case nonHero = "non-hero"
}

/// What a card's value counts in.
public enum CardUnit: String, Sendable, CaseIterable {
    case count
    case percent
}

/// The rows a card runs over.
public enum RowSource: String, Sendable, CaseIterable {
    /// One row a listing; binds `listing`.
    case listings
    /// One row a (listing, SKU) pair; binds `listing`, `sku`, `bc`.
    case skus
    /// One row an audit event; binds `event`, `listing`.
    case auditEvents = "audit_events"
}

/// The time a card's number covers: real time, a trailing duration, or the value of one of
/// the card's duration params (`window: params.window`), so that a profile's override shows.
public enum CardWindow: Sendable, Hashable, CustomStringConvertible {
    case realTime
    case trailing(ConfigDuration)
    /// The effective value of the duration param with this name.
    case param(String)

    /// As written: `RT`, `24h`, `params.window`.
    public var description: String {
        switch self {
        case .realTime: return "RT"
        case .trailing(let d): return d.description
        case .param(let name): return "params.\(name)"
        }
    }
}

/// An expression as written in a card, with the scalar it came from so that an offset inside
/// the text maps back to the file.
public struct Expression: Sendable {
    /// The expression's text.
    public var text: String
    /// Where the text of the value that holds it came from.
    public var source: TextSource
    /// Where the expression's text starts in that value (non-zero inside `measure`).
    public var offsetInSource: Int

    /// Creates an expression for the part of a value (from `source`) starting at `offsetInSource`.
    public init(text: String, source: TextSource, offsetInSource: Int = 0) {
        self.text = text
        self.source = source
        self.offsetInSource = offsetInSource
    }

    /// Where the expression's first character is in the file.
    public var location: SourceLocation { location(ofOffset: 0) }

    /// The file position of the character at `offset` (in Unicode scalars) in ``text``.
    public func location(ofOffset offset: Int) -> SourceLocation {
        source.location(ofOffset: offsetInSource + offset)
    }
}

/// How a card aggregates the rows that pass `where`.
public enum Measure: Sendable {
    /// The number of rows.
    case count
    /// The number of distinct values of the expression.
    case countDistinct(Expression)
    /// The sum of the expression.
    case sum(Expression)
    /// 100 * rows where the expression holds / rows.
    case percent(Expression)

    /// The name of the aggregate: `count`, `count_distinct`, `sum`, `percent`.
    public var name: String {
        switch self {
        case .count: return "count"
        case .countDistinct: return "count_distinct"
        case .sum: return "sum"
        case .percent: return "percent"
        }
    }

    /// The inner expression, if any.
    public var argument: Expression? {
        switch self {
        case .count: return nil
        case .countDistinct(let e), .sum(let e), .percent(let e): return e
        }
    }
}

/// One worklist column: a name and the expression that fills it.
public struct WorklistColumn: Sendable {
    /// The column name.
    public var name: Located<String>
    /// The expression.
    public var expression: Expression
}

/// A KPI card, decoded from `cards/<connector>/<key>.yaml`.
public struct Card: Sendable {
    /// The file it came from.
    public var file: String
    /// The unique key, `[a-z0-9_]+`.
    public var key: Located<String>
    /// The title shown to people.
    public var title: String
    /// What it counts.
    public var description: String?
    /// The marketplace connector, e.g. `aliexpress`.
    public var connector: String
    /// Hero or not (default non-hero).
    public var cardClass: CardClass
    /// A grouping label, e.g. `marketplace`.
    public var category: String?
    /// Count or percent (default count).
    public var unit: CardUnit
    /// The time covered (default RT).
    public var window: CardWindow
    /// Who sees it by default (default: every role).
    public var roles: [Located<String>]?
    /// The sentiment key of the KPI it stands for.
    public var sentimentKey: String?
    /// Related cards.
    public var siblings: [Located<String>]
    /// Typed parameters, in file order.
    public var params: [ParamDeclaration]
    /// The row source.
    public var from: RowSource
    /// The filter; nil keeps every row.
    public var filter: Expression?
    /// The aggregate.
    public var measure: Measure
    /// The breakdown label expression.
    public var groupBy: Expression?
    /// When the card alerts.
    public var alert: AlertRule?
    /// The worklist columns, in file order.
    public var rows: [WorklistColumn]
    /// Which rows that pass `where` make the worklist (default: all of them); an extension of
    /// config format v1 for cards whose worklist is the rows to fix, e.g. coverage gaps.
    public var rowsWhere: Expression?

    /// The declared parameter called `name`.
    public func param(named name: String) -> ParamDeclaration? {
        params.first { $0.name.value == name }
    }

    /// Every expression of the card with the YAML key it sits under (`where`, `rows.listing`, …).
    public var expressions: [(field: String, expression: Expression)] {
        var out: [(String, Expression)] = []
        if let filter { out.append(("where", filter)) }
        if let argument = measure.argument { out.append(("measure", argument)) }
        if let groupBy { out.append(("group_by", groupBy)) }
        out += rows.map { ("rows.\($0.name.value)", $0.expression) }
        if let rowsWhere { out.append(("rows_where", rowsWhere)) }
        return out
    }
}
