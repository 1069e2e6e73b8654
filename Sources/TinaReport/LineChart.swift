import Foundation

/// A line chart as a standalone SVG document: one or more series over a shared x axis, with axes, ticks, a title
/// and a legend. No dependencies and no scripts, so it renders the same in a browser, an image viewer or a README.
public struct LineChart: Sendable {
    public struct Series: Sendable {
        public var name: String
        public var points: [(x: Double, y: Double)]
        /// An interval drawn as a shaded band around the line (e.g. a 95 % CI), per x.
        public var band: [(x: Double, low: Double, high: Double)]
        public var strokeWidth: Double
        public init(name: String, points: [(x: Double, y: Double)], band: [(x: Double, low: Double, high: Double)] = [], strokeWidth: Double = 1.5) {
            self.name = name
            self.points = points
            self.band = band
            self.strokeWidth = strokeWidth
        }
    }

    public var title: String
    public var xLabel: String
    public var yLabel: String
    public var series: [Series]
    public var width = 640.0
    public var height = 360.0
    static let colors = ["#1f77b4", "#d62728", "#2ca02c", "#ff7f0e", "#9467bd", "#8c564b", "#e377c2", "#17becf"]

    public init(title: String, xLabel: String, yLabel: String, series: [Series]) {
        self.title = title
        self.xLabel = xLabel
        self.yLabel = yLabel
        self.series = series
    }

    public var svg: String {
        let left = 64.0, right = 16.0, top = 36.0, bottom = 48.0
        let plotW = width - left - right, plotH = height - top - bottom
        let all = (series.flatMap(\.points) + series.flatMap { $0.band.flatMap { [($0.x, $0.low), ($0.x, $0.high)] } })
            .filter { $0.x.isFinite && $0.y.isFinite }
        var (x0, x1) = (all.map(\.x).min() ?? 0, all.map(\.x).max() ?? 1)
        var (y0, y1) = (all.map(\.y).min() ?? 0, all.map(\.y).max() ?? 1)
        if x1 == x0 { x0 -= 1; x1 += 1 }
        if y1 == y0 { y0 -= 0.5; y1 += 0.5 }
        let pad = (y1 - y0) * 0.05
        y0 -= pad; y1 += pad
        func px(_ x: Double) -> Double { left + (x - x0) / (x1 - x0) * plotW }
        func py(_ y: Double) -> Double { top + (1 - (y - y0) / (y1 - y0)) * plotH }
        var out = """
        <svg xmlns="http://www.w3.org/2000/svg" width="\(Int(width))" height="\(Int(height))" viewBox="0 0 \(Int(width)) \(Int(height))" font-family="sans-serif" font-size="12">
        <rect width="100%" height="100%" fill="white"/>
        <text x="\(width / 2)" y="20" text-anchor="middle" font-size="14" font-weight="bold">\(Self.escape(title))</text>

        """
        for tick in Self.ticks(y0, y1) {
            let y = py(tick)
            out += "<line x1=\"\(left)\" y1=\"\(f(y))\" x2=\"\(left + plotW)\" y2=\"\(f(y))\" stroke=\"#e5e5e5\"/>\n"
            out += "<text x=\"\(left - 6)\" y=\"\(f(y + 4))\" text-anchor=\"end\">\(Self.label(tick))</text>\n"
        }
        for tick in Self.ticks(x0, x1) {
            let x = px(tick)
            out += "<line x1=\"\(f(x))\" y1=\"\(top + plotH)\" x2=\"\(f(x))\" y2=\"\(top + plotH + 4)\" stroke=\"black\"/>\n"
            out += "<text x=\"\(f(x))\" y=\"\(top + plotH + 18)\" text-anchor=\"middle\">\(Self.label(tick))</text>\n"
        }
        out += "<rect x=\"\(left)\" y=\"\(top)\" width=\"\(plotW)\" height=\"\(plotH)\" fill=\"none\" stroke=\"black\"/>\n"
        out += "<text x=\"\(left + plotW / 2)\" y=\"\(height - 10)\" text-anchor=\"middle\">\(Self.escape(xLabel))</text>\n"
        out += "<text transform=\"translate(16 \(top + plotH / 2)) rotate(-90)\" text-anchor=\"middle\">\(Self.escape(yLabel))</text>\n"
        for (i, s) in series.enumerated() {
            let color = Self.colors[i % Self.colors.count]
            let band = s.band.filter { $0.x.isFinite && $0.low.isFinite && $0.high.isFinite }
            if band.count > 1 {
                let outline = band.map { "\(f(px($0.x))),\(f(py($0.high)))" } + band.reversed().map { "\(f(px($0.x))),\(f(py($0.low)))" }
                out += "<polygon points=\"\(outline.joined(separator: " "))\" fill=\"\(color)\" fill-opacity=\"0.12\"/>\n"
            }
            let points = s.points.filter { $0.x.isFinite && $0.y.isFinite }
            if points.count > 1 {
                let path = points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
                out += "<polyline fill=\"none\" stroke=\"\(color)\" stroke-width=\"\(s.strokeWidth)\" points=\"\(path)\"/>\n"
            }
            // Points with a tooltip (name, x, y) while the series is short enough to hover.
            if points.count <= 100 {
                for p in points {
                    out += "<circle cx=\"\(f(px(p.x)))\" cy=\"\(f(py(p.y)))\" r=\"2.5\" fill=\"\(color)\"><title>\(Self.escape(s.name)) \(Self.escape(xLabel)) \(Self.label(p.x)): \(String(format: "%.2f", p.y))</title></circle>\n"
                }
            }
            let ly = top + 14 + Double(i) * 16
            out += "<line x1=\"\(left + 8)\" y1=\"\(ly - 4)\" x2=\"\(left + 24)\" y2=\"\(ly - 4)\" stroke=\"\(color)\" stroke-width=\"2\"/>\n"
            out += "<text x=\"\(left + 28)\" y=\"\(ly)\">\(Self.escape(s.name))</text>\n"
        }
        return out + "</svg>\n"
    }

    func f(_ v: Double) -> String { String(format: "%.1f", v) }

    /// About five round ticks (1, 2 or 5 times a power of ten) inside [low, high].
    static func ticks(_ low: Double, _ high: Double) -> [Double] {
        let raw = (high - low) / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? raw
        var ticks: [Double] = []
        var t = ceil(low / step) * step
        while t <= high + step * 1e-9 && ticks.count < 20 { ticks.append(t); t += step }
        return ticks
    }

    static func label(_ v: Double) -> String {
        if v == v.rounded() && abs(v) < 1e6 { return String(Int(v)) }
        if abs(v) < 1e-3 || abs(v) >= 1e5 { return String(format: "%.1e", v) }
        return String(format: "%.3g", v)
    }

    static func escape(_ s: String) -> String {
        s.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;").replacingOccurrences(of: ">", with: "&gt;")
    }
}
