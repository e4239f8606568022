import Foundation

extension QuietHours {
    /// When a notification of `severity` may go out if it is due at `now` (Unix seconds): nil
    /// when no window of `windows` holds it back then, else the end of the window (of the
    /// windows that follow on from each other, the last one's) in `timezone`.
    public static func heldUntil(now: Int64, windows: [QuietHours], timezone: String, severity: AlertSeverity?) -> Int64? {
        guard !windows.isEmpty, let zone = TimeZone(identifier: timezone) else { return nil }
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        var at = now
        var held = false
        // Back-to-back windows (Saturday, then Sunday) hold until the last one ends; a week of
        // windows ends within eight steps.
        for _ in 0..<16 {
            guard let end = windows.lazy.compactMap({ $0.end(containing: at, calendar: calendar, severity: severity) }).max(), end > at else { break }
            at = end
            held = true
        }
        return held ? at : nil
    }

    /// The end of this window if `time` falls inside it (and `severity` is not excepted).
    func end(containing time: Int64, calendar: Calendar, severity: AlertSeverity?) -> Int64? {
        if let severity, except.contains(severity) { return nil }
        let date = Date(timeIntervalSince1970: TimeInterval(time))
        let today = calendar.startOfDay(for: date)
        let minute = Int(date.timeIntervalSince(today) / 60)
        let weekday = calendar.component(.weekday, from: date)
        func day(_ offset: Int) -> Date? { calendar.date(byAdding: .day, value: offset, to: today) }
        func on(_ w: Int) -> Bool { days.contains { $0.calendarWeekday == w } }
        func seconds(_ d: Date?, _ minutes: Int) -> Int64? {
            guard let d else { return nil }
            // Through the calendar, so that a daylight-saving change lands on the wall clock.
            let hour = minutes / 60, rest = minutes % 60
            if hour >= 24 { return day(1).map { Int64($0.timeIntervalSince1970) } }
            return calendar.date(bySettingHour: hour, minute: rest, second: 0, of: d).map { Int64($0.timeIntervalSince1970) }
        }
        let yesterday = weekday == 1 ? 7 : weekday - 1
        if from < to {
            if on(weekday) && from <= minute && minute < to { return seconds(today, to) }
        } else {
            if on(weekday) && minute >= from { return seconds(day(1), to) }
            if on(yesterday) && minute < to { return seconds(today, to) }
        }
        return nil
    }
}
