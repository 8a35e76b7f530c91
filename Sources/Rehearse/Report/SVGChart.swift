import Foundation

/// Small inline SVG charts: no scripts, no network, readable as a picture.
struct SVGChart {
    struct Series {
        var label: String
        var colour: String
        var points: [(x: Double, y: Double)]
        var dashed = false
    }

    struct Band {
        var from: Double
        var to: Double
        var label: String
        var colour: String
    }

    var width = 640.0
    var height = 240.0
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var bands: [Band] = []
    /// Tick positions on x with their labels.
    var xTicks: [(Double, String)] = []

    private let left = 58.0, right = 16.0, top = 14.0, bottom = 40.0

    func render() -> String {
        let all = series.flatMap(\.points)
        guard !all.isEmpty else { return "<p class=\"muted\">no data</p>" }
        let xMin = min(all.map(\.x).min()!, bands.map(\.from).min() ?? .infinity)
        let xMax = max(all.map(\.x).max()!, bands.map(\.to).max() ?? -.infinity, xMin + 1e-9)
        let yMax = niceCeiling(max(all.map(\.y).max()!, 1e-6))
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (x - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + plotH - y / yMax * plotH }
        var svg =
            "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\">"
        for band in bands {
            let x0 = px(band.from), x1 = max(px(band.to), x0 + 1)
            svg +=
                "<rect x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(x1 - x0))\" height=\"\(f(plotH))\" fill=\"\(band.colour)\" opacity=\"0.18\"><title>\(HTML.escape(band.label))</title></rect>"
            svg += "<text x=\"\(f(x0 + 2))\" y=\"\(f(top + 10))\" class=\"band\">\(HTML.escape(band.label))</text>"
        }
        for i in 0...4 {
            let v = yMax * Double(i) / 4
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(py(v)))\" y2=\"\(f(py(v)))\" class=\"grid\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(v) + 4))\" class=\"tick\" text-anchor=\"end\">\(HTML.escape(short(v)))</text>"
        }
        let ticks =
            xTicks.isEmpty
            ? (0...4).map { i -> (Double, String) in
                let v = xMin + (xMax - xMin) * Double(i) / 4; return (v, short(v))
            } : xTicks
        for (x, label) in ticks where x >= xMin && x <= xMax {
            svg +=
                "<text x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape(label))</text>"
        }
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(py(0)))\" y2=\"\(f(py(0)))\" class=\"axis\"/>"
        svg +=
            "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 4))\" class=\"label\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        svg +=
            "<text x=\"12\" y=\"\(f(top + plotH / 2))\" class=\"label\" text-anchor=\"middle\" transform=\"rotate(-90 12 \(f(top + plotH / 2)))\">\(HTML.escape(yLabel))</text>"
        for (n, s) in series.enumerated() {
            let path = s.points.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg +=
                "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"2\"\(s.dashed ? " stroke-dasharray=\"5 4\"" : "")/>"
            svg +=
                "<text x=\"\(f(width - right - 4))\" y=\"\(f(top + 14 + Double(n) * 14))\" class=\"legend\" text-anchor=\"end\" fill=\"\(s.colour)\">\(HTML.escape(s.label))</text>"
        }
        return svg + "</svg>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    private func short(_ v: Double) -> String {
        if v >= 1000 { return String(format: "%.0f", v) }
        if v >= 10 { return String(format: "%.0f", v) }
        if v >= 1 { return String(format: "%.1f", v) }
        return String(format: "%.2f", v)
    }

    private func niceCeiling(_ v: Double) -> Double {
        let magnitude = pow(10, floor(log10(v)))
        for step in [1.0, 2, 2.5, 5, 10] where step * magnitude >= v { return step * magnitude }
        return 10 * magnitude
    }
}

enum HTML {
    static func escape(_ text: String) -> String {
        text.replacingOccurrences(of: "&", with: "&amp;").replacingOccurrences(of: "<", with: "&lt;")
            .replacingOccurrences(of: ">", with: "&gt;").replacingOccurrences(of: "\"", with: "&quot;")
    }
}
