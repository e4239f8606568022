/// The keys of one row type's snapshot file, taken from its field table (``FieldColumn/key``):
/// what the fast scanner matches a row's members against. They are expected in the fields'
/// order, which is the order `pulse generate` and most exporters write them in.
struct FileKeys<Field: ModelField>: Sendable {
    /// A key expected next, with its bytes as a member starts: `"key": `.
    struct Expected: Sendable {
        let field: Field
        let member: [UInt8]
    }

    /// Every field read from the file, in order, as its member starts.
    let expected: [Expected]
    /// Every key's bytes (without quotes), by position in ``expected``.
    private let names: [[UInt8]]

    init() {
        let keyed = Field.allCases.compactMap { field in field.key.map { (field, $0) } }
        expected = keyed.map { Expected(field: $0.0, member: Array("\"\($0.1)\": ".utf8)) }
        names = keyed.map { Array($0.1.utf8) }
    }

    /// The field whose key is `bytes`, or nil for a key the file does not have.
    func field(_ bytes: UnsafeBufferPointer<UInt8>) -> Field? {
        let run = ByteRun(bytes)
        for (k, name) in names.enumerated() where name.count == bytes.count {
            if name.withUnsafeBufferPointer({ run.matches(ByteRun($0), at: 0) }) { return expected[k].field }
        }
        return nil
    }
}
