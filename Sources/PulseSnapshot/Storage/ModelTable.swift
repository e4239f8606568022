import PulseExpressions

/// A table of the model: rows of one ``ModelField`` type (a final class of immutable, `Sendable`
/// columns). It reads a field by switching on the field's case; the field's index, which is
/// what compiled expressions hold, is turned into the case here, once for every table.
public protocol ModelTable: RowTable {
    /// The rows' field table.
    associatedtype Field: ModelField & RawRepresentable where Field.RawValue == Int
    /// How many rows.
    var count: Int { get }
    /// Field `field` of row `row`.
    func value(_ field: Field, _ row: Int) -> Value
    /// Field `field` as a typed column (``RowColumn/none`` when it is only readable row by row).
    func typedColumn(_ field: Field) -> RowColumn
}

extension ModelTable {
    /// The rows' type name (``ModelField/typeName``).
    public var celTypeName: String { Field.typeName }

    /// The value of field `index` of row `row` (null past the last field).
    @inline(__always)
    public func field(_ row: Int, _ index: Int) -> Value {
        guard let field = Field(index: index) else { return .null }
        return value(field, row)
    }

    /// Field `index` as a typed column.
    public func column(_ index: Int) -> RowColumn {
        guard let field = Field(index: index) else { return .none }
        return typedColumn(field)
    }
}
