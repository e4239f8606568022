import Foundation

/// A time zone for CEL's timestamp accessors: an IANA name (`Australia/Sydney`, `UTC`) or a
/// fixed offset (`+11:00`, `-02:30`, `02:00`), as cel-spec writes them.
public struct CELTimeZone: Sendable {
    private enum Kind: Sendable {
        case fixed(seconds: Int64)
        case named(TimeZone)
    }

    private let kind: Kind

    /// UTC.
    public static let utc = CELTimeZone(kind: .fixed(seconds: 0))

    private init(kind: Kind) {
        self.kind = kind
    }

    /// The zone `text` names, or nil when it is neither an IANA name nor an offset.
    public init?(_ text: String) {
        let scalars = Array(text.unicodeScalars)
        func digits(_ range: Range<Int>) -> Int64? {
            var v: Int64 = 0
            for i in range {
                guard i < scalars.count, scalars[i].value >= 48, scalars[i].value <= 57 else { return nil }
                v = v * 10 + Int64(scalars[i].value - 48)
            }
            return v
        }
        var sign: Int64 = 1
        var start = 0
        if let first = scalars.first, first == "+" || first == "-" {
            sign = first == "-" ? -1 : 1
            start = 1
        }
        if scalars.count == start + 5, scalars[start + 2] == ":", let h = digits(start..<(start + 2)), let m = digits((start + 3)..<(start + 5)),
           h < 24, m < 60 {
            kind = .fixed(seconds: sign * (h * 3600 + m * 60))
            return
        }
        guard start == 0, let zone = TimeZone(identifier: text) else { return nil }
        kind = .named(zone)
    }

    /// The offset from UTC, in seconds, at `seconds` since the epoch.
    public func offset(at seconds: Int64) -> Int64 {
        switch kind {
        case .fixed(let s): return s
        case .named(let zone): return Int64(zone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(seconds))))
        }
    }
}

extension CELTimestamp {
    /// The accessor `name` (`getFullYear`, `getMonth`, ...) of this instant in `zone`, or nil for
    /// an unknown name. Months, days of the month and of the year count from 0 as CEL says;
    /// `getDate` counts from 1; `getDayOfWeek` is 0 for Sunday.
    public func component(_ name: String, in zone: CELTimeZone) -> Int64? {
        let local = seconds + zone.offset(at: seconds)
        let days = local >= 0 ? local / 86_400 : (local - 86_399) / 86_400
        let secondOfDay = local - days * 86_400
        let (year, month, day) = CELTimestamp.civil(fromDays: days)
        switch name {
        case "getFullYear": return year
        case "getMonth": return month - 1
        case "getDate": return day
        case "getDayOfMonth": return day - 1
        case "getDayOfYear": return days - CELTimestamp.days(fromCivil: year, 1, 1)
        case "getDayOfWeek": return ((days % 7) + 11) % 7  // 1970-01-01 was a Thursday (4)
        case "getHours": return secondOfDay / 3600
        case "getMinutes": return secondOfDay % 3600 / 60
        case "getSeconds": return secondOfDay % 60
        case "getMilliseconds": return nanos / 1_000_000
        default: return nil
        }
    }

    /// The timestamp accessors CEL defines.
    public static let accessors = ["getFullYear", "getMonth", "getDate", "getDayOfMonth", "getDayOfYear", "getDayOfWeek",
                                   "getHours", "getMinutes", "getSeconds", "getMilliseconds"]
}
