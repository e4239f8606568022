/// The keys of the snapshot files, as the loader reads them.
public enum SnapshotKeys {
    /// The keys whose values the files write as strings (or lists of strings): the model's, from
    /// its field tables, and those of the freight templates and category restrictions, which
    /// are not model rows. A test fixture's plain YAML scalar under one of them is a string.
    public static let text: Set<String> = Set(ListingField.textKeys + SKUField.textKeys + StockField.textKeys + EventField.textKeys
        + templateTextKeys + restrictionTextKeys)

    /// `freight_templates.jsonl`'s text keys.
    static let templateTextKeys = ["id", "name", "countries"]
    /// `category_restrictions.jsonl`'s text keys.
    static let restrictionTextKeys = ["category_id", "countries"]
}
