/// Every rule a diagnostic can come from: its stable id (what `--format json` and `github` print
/// and what people search for), its severity and what it finds. The README's rule table is
/// generated from this (a test checks it); a new check adds its case here.
public enum Rule: String, CaseIterable, Sendable, Hashable, Codable {
    case yamlSyntax = "yaml-syntax"
    case yamlDuplicateKey = "yaml-duplicate-key"
    case yamlMergeKey = "yaml-merge-key"
    case yamlMultiDocument = "yaml-multi-document"
    case yamlAliasLimit = "yaml-alias-limit"
    case yamlDepthLimit = "yaml-depth-limit"
    case yamlFileSize = "yaml-file-size"
    case yamlEncoding = "yaml-encoding"
    case emptyFile = "empty-file"
    case unknownFileKind = "unknown-file-kind"
    case unknownKey = "unknown-key"
    case missingKey = "missing-key"
    case wrongType = "wrong-type"
    case emptyValue = "empty-value"
    case invalidValue = "invalid-value"
    case cardKeyPattern = "card-key-pattern"
    case cardKeyDuplicate = "card-key-duplicate"
    case cardKeyFilename = "card-key-filename"
    case profileDuplicate = "profile-duplicate"
    case profileNameFilename = "profile-name-filename"
    case badDuration = "bad-duration"
    case badTrigger = "bad-trigger"
    case badMeasure = "bad-measure"
    case emptyExpression = "empty-expression"
    case paramName = "param-name"
    case paramType = "param-type"
    case unknownParam = "unknown-param"
    case unknownCard = "unknown-card"
    case unknownRole = "unknown-role"
    case unknownSibling = "unknown-sibling"
    case unknownCountry = "unknown-country"
    case badTimezone = "bad-timezone"
    case extendsUnknown = "extends-unknown"
    case extendsCycle = "extends-cycle"
    case expressionSyntax = "expression-syntax"
    case expressionType = "expression-type"
    case testFixture = "test-fixture"
    case testDuplicate = "test-duplicate"
    case testSetup = "test-setup"
    case expressionCost = "expression-cost"
    case snapshotFormat = "snapshot-format"
    case testNow = "test-now"
    case secretLiteral = "secret-literal"
    case alertLevels = "alert-levels"
    case badPercent = "bad-percent"
    case unknownChannel = "unknown-channel"
    case unusedChannel = "unused-channel"

    /// How serious its findings are.
    public var severity: Severity {
        switch self {
        case .cardKeyFilename, .profileNameFilename, .unknownSibling, .unusedChannel: .warning
        default: .error
        }
    }

    /// What it finds, one line (the README's rule table).
    public var finds: String {
        switch self {
        case .yamlSyntax: "libyaml's own errors (tabs, unclosed `[`/`{`, an unquoted `> 0`, unknown aliases), with hints"
        case .yamlDuplicateKey: "a key twice in one mapping (libyaml accepts it; Pulse does not)"
        case .yamlMergeKey: "`<<` merge keys (not supported: write the keys out)"
        case .yamlMultiDocument: "a second `---` document in a file"
        case .yamlAliasLimit: "aliases expanding past 100,000 nodes (refused without expanding)"
        case .yamlDepthLimit: "nesting deeper than 64 levels"
        case .yamlFileSize: "a file over 4 MiB"
        case .yamlEncoding: "bytes that are not UTF-8"
        case .emptyFile: "a file with no document"
        case .unknownFileKind: "a file outside `cards/`/`profiles/`/`card-tests/` (or `tests/`) with neither `key`, `profile` nor `tests`"
        case .unknownKey: "a key the schema does not know, with the nearest known key"
        case .missingKey: "a required key that is absent"
        case .wrongType: "a list where a string belongs, `yes` for a boolean, …"
        case .emptyValue: "an empty title, key, …"
        case .invalidValue: "a value outside an enum (`class`, `unit`, `from`, param `type`)"
        case .cardKeyPattern: "a card key outside `[a-z0-9_]+`"
        case .cardKeyDuplicate: "two cards with one key"
        case .cardKeyFilename: "a card key that differs from its file name"
        case .profileDuplicate: "two profiles with one name"
        case .profileNameFilename: "a profile name that differs from its file name"
        case .badDuration: "a window or duration that is not `RT`/`90m`/`24h`/`7d`/…, or a `stale_after` or `repeat_every` of 0s"
        case .badTrigger: "an alert that is not a comparison and a number"
        case .badMeasure: "a measure other than count, count_distinct, sum, percent"
        case .emptyExpression: "an empty `where`, `group_by`, `rows` entry, …"
        case .paramName: "a parameter name outside `[a-z_][a-z0-9_]*`"
        case .paramType: "a parameter default or profile override of the wrong type"
        case .unknownParam: "a profile setting a parameter the card does not declare"
        case .unknownCard: "a profile tuning a card that does not exist (checked when cards are among the paths)"
        case .unknownRole: "a role outside owner/operations/finance/marketing and those profiles declare"
        case .unknownSibling: "a sibling that is not a known card"
        case .unknownCountry: "a priority market that is not ISO 3166-1 alpha-2 (`UK` → `GB`)"
        case .badTimezone: "a time zone that is not an IANA name"
        case .extendsUnknown: "`extends` naming no profile"
        case .extendsCycle: "a profile that extends itself through a chain"
        case .expressionSyntax: "an expression that does not parse"
        case .expressionType: "an unknown name or field (`listing.stauts` → did you mean `status`?), a call with no overload, a `where` that is not a bool, a `matches` pattern RE2 refuses, …"
        case .testFixture: "an inline fixture row of a test file that breaks the snapshot contract, at its line"
        case .testDuplicate: "two test cases with one name"
        case .testSetup: "a test file whose cards or profiles folder is missing"
        case .expressionCost: "an expression certain to pass the cost limit: nested macros over lists of known size (literals, params, profile lists) taking more than 100,000 steps a row"
        case .snapshotFormat: "a test fixture or snapshot file that breaks the snapshot contract (a test's inline `snapshot:` folder)"
        case .testNow: "a test's `now` that is not an RFC 3339 timestamp"
        case .alertLevels: "an alert with both `when` and `critical` (one level, two names), or a `warn` that could never show because every value it catches is already critical (`warn: \"> 30\"` under `critical: \"> 25\"`)"
        case .badPercent: "a `data_quality.max_unmatched_skus` that is not a percent from 0% to 100% (`5%`, `0.5%`)"
        case .secretLiteral: "a credential written into a profile's `sources` or `notifications.channels` instead of a `${NAME}` environment reference"
        case .unknownChannel: "a notification route sending to a channel its profile does not have (`opps` → did you mean `ops`?)"
        case .unusedChannel: "a notification channel that no route of the profile sends to"
        }
    }

    /// The README's rule table.
    public static var readmeTable: String {
        "| rule | severity | finds |\n|---|---|---|\n" + allCases.map { "| `\($0.rawValue)` | \($0.severity.rawValue) | \($0.finds) |\n" }.joined()
    }
}
