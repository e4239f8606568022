import Foundation
import PulseExpressions

/// How old data is, in words for people, in the merchant's time zone: `data from 09:00 today,
/// 3 hours ago`, `data from 17 Mar 2026, 8 months old`.
package enum DataAge {
    /// `takenAt` as seen from `checkedAt` in `timeZone` (an IANA name; UTC when unknown).
    package static func words(takenAt: CELTimestamp, checkedAt: CELTimestamp, timeZone: String) -> String {
        let zone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC") ?? .current
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let taken = Date(timeIntervalSince1970: TimeInterval(takenAt.seconds))
        let checked = Date(timeIntervalSince1970: TimeInterval(checkedAt.seconds))
        let (difference, overflow) = checkedAt.seconds.subtractingReportingOverflow(takenAt.seconds)
        let age = overflow ? Int64.max : difference
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = zone
        if age < 0 {
            formatter.dateFormat = "d MMM yyyy HH:mm"
            return "data from \(formatter.string(from: taken)), later than the clock (\(checkedAt))"
        }
        let days = calendar.dateComponents([.day], from: calendar.startOfDay(for: taken), to: calendar.startOfDay(for: checked)).day ?? Int.max
        formatter.dateFormat = "HH:mm"
        let time = formatter.string(from: taken)
        let when: String
        switch days {
        case 0: when = "\(time) today"
        case 1: when = "\(time) yesterday"
        case 2..<7:
            formatter.dateFormat = "EEEE HH:mm"
            when = formatter.string(from: taken)
        default:
            formatter.dateFormat = "d MMM yyyy"
            when = formatter.string(from: taken)
        }
        return "data from \(when), \(ago(age))"
    }

    /// `just now`, `12 minutes ago`, `3 hours ago`, `4 days ago`, `8 months old`, `2 years old`.
    package static func ago(_ seconds: Int64) -> String {
        func plural(_ n: Int64, _ unit: String) -> String { "\(n) \(unit)\(n == 1 ? "" : "s")" }
        switch seconds {
        case ..<90: return "just now"
        case ..<(90 * 60): return plural((seconds + 30) / 60, "minute") + " ago"
        case ..<(48 * 3600): return plural((seconds + 1800) / 3600, "hour") + " ago"
        case ..<(60 * 86_400): return plural((seconds + 43_200) / 86_400, "day") + " ago"
        case ..<(365 * 86_400): return plural(seconds / (30 * 86_400), "month") + " old"
        default: return plural(seconds / (365 * 86_400), "year") + " old"
        }
    }
}
