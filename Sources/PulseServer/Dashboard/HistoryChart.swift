import Foundation
import PulseConfig
import PulseExpressions

/// A card's recorded history as an SVG chart for its card page: the values over time (x by the
/// time each snapshot was taken), a dot on every value, gaps where a value was missing, dates
/// along the bottom in the profile's time zone, and each trigger's threshold as a dashed line
/// with its words. Only numbers, dates Pulse formats and the card's trigger text (escaped) are
/// written into it.
enum HistoryChart {
    static let width = 720.0
    static let height = 220.0
    /// Room for the axis labels: left (values), bottom (dates), top and right.
    static let left = 56.0, bottom = 28.0, top = 12.0, right = 12.0

    /// A threshold to draw: its value and its words (`critical > 0`).
    struct Line {
        let value: Double
        let label: String
    }

    /// The chart, or an empty string when nothing is recorded.
    static func svg(_ points: [(at: CELTimestamp, value: Double?)], lines: [Line], unit: CardUnit, timeZone: String) -> String {
        let finite = points.compactMap(\.value).filter(\.isFinite)
        guard let first = points.first, let last = points.last, !finite.isEmpty else { return "" }
        let levels = finite + lines.map(\.value).filter(\.isFinite)
        var low = min(levels.min() ?? 0, 0), high = levels.max() ?? 1
        if high == low { high = low + 1 }
        let pad = (high - low) * 0.08
        high += pad
        if low < 0 { low -= pad }
        let plotW = width - left - right, plotH = height - top - bottom
        let t0 = Double(first.at.seconds), t1 = Double(last.at.seconds)
        func x(_ t: CELTimestamp) -> Double { t1 == t0 ? left + plotW / 2 : left + (Double(t.seconds) - t0) / (t1 - t0) * plotW }
        func y(_ v: Double) -> Double { top + plotH - (v - low) / (high - low) * plotH }

        var out = ""
        // Axes and the value labels at the bottom and the top.
        out += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(top + plotH))\" x2=\"\(c(left + plotW))\" y2=\"\(c(top + plotH))\"/>"
        out += "<line class=\"axis\" x1=\"\(c(left))\" y1=\"\(c(top))\" x2=\"\(c(left))\" y2=\"\(c(top + plotH))\"/>"
        for v in [low, (low + high) / 2, high] {
            out += "<text class=\"tick\" x=\"\(c(left - 6))\" y=\"\(c(y(v) + 4))\" text-anchor=\"end\">\(escape(number(v, unit)))</text>"
        }
        // Dates: the first, the last and up to three between (with the time when they span under three days).
        let withTime = t1 - t0 < 3 * 86_400
        func date(_ t: CELTimestamp, _ zone: String) -> String { HistoryChart.date(t, zone, withTime: withTime) }
        let count = points.count
        let dateIndices = count <= 5 ? Array(0..<count) : [0, count / 4, count / 2, 3 * count / 4, count - 1]
        var lastX = -Double.infinity
        for (n, i) in dateIndices.enumerated() {
            let px = x(points[i].at)
            guard px - lastX > 90 || n == dateIndices.count - 1 && px - lastX > 40 else { continue }
            lastX = px
            let anchor = count == 1 ? "middle" : i == 0 ? "start" : i == count - 1 ? "end" : "middle"
            out += "<text class=\"date\" x=\"\(c(px))\" y=\"\(c(height - 8))\" text-anchor=\"\(anchor)\">\(escape(date(points[i].at, timeZone)))</text>"
        }
        // The trigger lines.
        for line in lines where line.value.isFinite {
            let ly = y(line.value)
            out += "<line class=\"trigger-line\" x1=\"\(c(left))\" y1=\"\(c(ly))\" x2=\"\(c(left + plotW))\" y2=\"\(c(ly))\"/>"
            out += "<text class=\"trigger-label\" x=\"\(c(left + plotW - 4))\" y=\"\(c(ly - 4))\" text-anchor=\"end\">\(escape(line.label))</text>"
        }
        // The values: lines between neighbours, a dot on each.
        var segment: [String] = []
        var polylines: [String] = []
        for p in points {
            guard let v = p.value, v.isFinite else {
                if segment.count > 1 { polylines.append(segment.joined(separator: " ")) }
                segment = []
                continue
            }
            segment.append(c(x(p.at)) + "," + c(y(v)))
        }
        if segment.count > 1 { polylines.append(segment.joined(separator: " ")) }
        out += polylines.map { "<polyline class=\"series\" points=\"\($0)\"/>" }.joined()
        for p in points {
            guard let v = p.value, v.isFinite else { continue }
            out += "<circle class=\"point\" cx=\"\(c(x(p.at)))\" cy=\"\(c(y(v)))\" r=\"3\"><title>\(escape(date(p.at, timeZone) + ": " + number(v, unit)))</title></circle>"
        }
        let summary = "History: \(count) recorded value\(count == 1 ? "" : "s") from \(date(first.at, timeZone)) to \(date(last.at, timeZone))"
        return "<svg class=\"history-chart\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" role=\"img\" aria-label=\"\(escape(summary))\">"
            + "<title>\(escape(summary))</title>\(out)</svg>"
    }

    /// `17 Mar 2026` (`17 Mar 2026 08:00` `withTime`) in the profile's zone.
    static func date(_ t: CELTimestamp, _ timeZone: String, withTime: Bool = false) -> String {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_GB")
        formatter.timeZone = TimeZone(identifier: timeZone) ?? TimeZone(identifier: "UTC") ?? .current
        formatter.dateFormat = withTime ? "d MMM yyyy HH:mm" : "d MMM yyyy"
        return formatter.string(from: Date(timeIntervalSince1970: TimeInterval(t.seconds)))
    }

    private static func number(_ v: Double, _ unit: CardUnit) -> String {
        let text = Trigger.format((v * 10).rounded() / 10)
        return unit == .percent ? text + "%" : text
    }

    private static func c(_ d: Double) -> String {
        let tenths = (d * 10).rounded()
        return tenths.truncatingRemainder(dividingBy: 10) == 0 ? String(Int(tenths / 10)) : String(tenths / 10)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
