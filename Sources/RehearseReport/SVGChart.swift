import Foundation

/// Small inline SVG charts: no scripts, no network, readable as a picture.
struct SVGChart {
    struct Series {
        var label: String
        var colour: String
        var points: [(x: Double, y: Double)]
        var dashed = false
        var width = 2.0
    }

    /// A shaded window on x (a step, a fault), labelled at its top.
    struct Band {
        var from: Double
        var to: Double
        var label: String
        var colour: String
        var hatched = false
    }

    var width = 640.0
    var height = 240.0
    var xLabel: String
    var yLabel: String
    var series: [Series]
    var bands: [Band] = []
    /// Tick positions on x with their labels; empty for round numbers.
    var xTicks: [(Double, String)] = []
    var xRange: ClosedRange<Double>? = nil
    /// Tick positions on y with their labels, and the range they span (a log scale drawn
    /// by its caller); without them, round numbers from 0.
    var yTicks: [(Double, String)] = []
    var yRange: ClosedRange<Double>? = nil
    /// Single points (a measurement) and vertical bars (an interval), drawn over the series.
    var markers: [Marker] = []
    var bars: [Bar] = []

    struct Marker {
        var x: Double
        var y: Double
        var colour: String
        var radius = 3.0
        var title: String
    }

    struct Bar {
        var x: Double
        var low: Double
        var high: Double
        var colour: String
        var title: String
    }

    /// Room for the y ticks' labels (wider for labels with units, `200 ms`).
    var left = 52.0
    private let right = 64.0, top = 14.0, bottom = 40.0

    func render() -> String {
        let all = (series.flatMap(\.points) + markers.map { ($0.x, $0.y) } + bars.map { ($0.x, $0.high) })
            .filter { $0.x.isFinite && $0.y.isFinite }
        guard let lowestX = all.map(\.x).min(), let highestX = all.map(\.x).max(), let highestY = all.map(\.y).max() else {
            return "<p class=\"muted\">no data</p>"
        }
        let xMin = xRange?.lowerBound ?? min(lowestX, bands.map(\.from).min() ?? .infinity)
        let xMax = max(xRange?.upperBound ?? max(highestX, bands.map(\.to).max() ?? -.infinity), xMin + 1e-9)
        var (yStep, yMax) = Self.niceScale(max(highestY, 1e-3))
        var yMin = 0.0
        if let yRange { (yMin, yMax) = (yRange.lowerBound, max(yRange.upperBound, yRange.lowerBound + 1e-9)) }
        let plotW = width - left - right, plotH = height - top - bottom
        func px(_ x: Double) -> Double { left + (min(max(x, xMin), xMax) - xMin) / (xMax - xMin) * plotW }
        func py(_ y: Double) -> Double { top + plotH - (min(max(y, yMin), yMax) - yMin) / (yMax - yMin) * plotH }
        var svg = "<svg xmlns=\"http://www.w3.org/2000/svg\" viewBox=\"0 0 \(Int(width)) \(Int(height))\" "
        svg +=
            "width=\"\(Int(width))\" height=\"\(Int(height))\" role=\"img\" aria-label=\"\(HTML.escape(yLabel)) by \(HTML.escape(xLabel))\">"
        svg += "<defs><pattern id=\"hatch\" width=\"6\" height=\"6\" patternUnits=\"userSpaceOnUse\" patternTransform=\"rotate(45)\">"
        svg += "<line x1=\"0\" y1=\"0\" x2=\"0\" y2=\"6\" stroke=\"#c0392b\" stroke-width=\"2\" opacity=\"0.35\"/></pattern></defs>"
        for (i, band) in bands.enumerated() {
            let x0 = px(band.from), x1 = max(px(band.to), x0 + 1.5)
            let rect = "x=\"\(f(x0))\" y=\"\(f(top))\" width=\"\(f(x1 - x0))\" height=\"\(f(plotH))\""
            svg +=
                "<rect \(rect) fill=\"\(band.colour)\" opacity=\"\(band.hatched ? "0.12" : "0.13")\"><title>\(HTML.escape(band.label))</title></rect>"
            if band.hatched { svg += "<rect \(rect) fill=\"url(#hatch)\"/>" }
            // Labels step down so neighbouring windows do not print over each other.
            svg += "<text x=\"\(f(x0 + 3))\" y=\"\(f(top + 11 + Double(i % 4) * 12))\" class=\"band\">\(HTML.escape(band.label))</text>"
        }
        var gridLines = yTicks
        if yTicks.isEmpty {
            var v = 0.0
            while v <= yMax + yStep / 2 {
                gridLines.append((v, Self.short(v)))
                v += yStep
            }
        }
        for (v, label) in gridLines where v >= yMin && v <= yMax {
            svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(py(v)))\" y2=\"\(f(py(v)))\" class=\"grid\"/>"
            svg += "<text x=\"\(f(left - 6))\" y=\"\(f(py(v) + 4))\" class=\"tick\" text-anchor=\"end\">\(HTML.escape(label))</text>"
        }
        let ticks = xTicks.isEmpty ? Self.roundTicks(xMin, xMax) : xTicks
        for (x, label) in ticks where x >= xMin && x <= xMax {
            svg += "<line x1=\"\(f(px(x)))\" x2=\"\(f(px(x)))\" y1=\"\(f(top + plotH))\" y2=\"\(f(top + plotH + 4))\" class=\"axis\"/>"
            svg +=
                "<text x=\"\(f(px(x)))\" y=\"\(f(height - bottom + 16))\" class=\"tick\" text-anchor=\"middle\">\(HTML.escape(label))</text>"
        }
        svg += "<line x1=\"\(f(left))\" x2=\"\(f(width - right))\" y1=\"\(f(py(yMin)))\" y2=\"\(f(py(yMin)))\" class=\"axis\"/>"
        svg +=
            "<text x=\"\(f(left + plotW / 2))\" y=\"\(f(height - 6))\" class=\"label\" text-anchor=\"middle\">\(HTML.escape(xLabel))</text>"
        svg += "<text x=\"14\" y=\"\(f(top + plotH / 2))\" class=\"label\" text-anchor=\"middle\" "
        svg += "transform=\"rotate(-90 14 \(f(top + plotH / 2)))\">\(HTML.escape(yLabel))</text>"
        for (n, s) in series.enumerated() {
            let path = s.points.filter { $0.x.isFinite && $0.y.isFinite }.map { "\(f(px($0.x))),\(f(py($0.y)))" }.joined(separator: " ")
            svg += "<polyline points=\"\(path)\" fill=\"none\" stroke=\"\(s.colour)\" stroke-width=\"\(s.width)\" stroke-linejoin=\"round\""
            svg += "\(s.dashed ? " stroke-dasharray=\"\(s.width < 2 ? "2 3" : "5 4")\"" : "")/>"
            svg += "<text x=\"\(f(width - right + 6))\" y=\"\(f(top + 10 + Double(n) * 14))\" class=\"legend\" fill=\"\(s.colour)\">"
            svg += "\(HTML.escape(s.label))</text>"
        }
        for bar in bars where bar.x.isFinite {
            let x = f(px(bar.x)), y0 = f(py(bar.low)), y1 = f(py(bar.high))
            svg += "<g stroke=\"\(bar.colour)\" stroke-width=\"2\"><title>\(HTML.escape(bar.title))</title>"
            svg += "<line x1=\"\(x)\" x2=\"\(x)\" y1=\"\(y0)\" y2=\"\(y1)\"/>"
            for y in [y0, y1] { svg += "<line x1=\"\(f(px(bar.x) - 6))\" x2=\"\(f(px(bar.x) + 6))\" y1=\"\(y)\" y2=\"\(y)\"/>" }
            svg += "</g>"
        }
        for m in markers where m.x.isFinite && m.y.isFinite {
            svg += "<circle cx=\"\(f(px(m.x)))\" cy=\"\(f(py(m.y)))\" r=\"\(f(m.radius))\" fill=\"\(m.colour)\" fill-opacity=\"0.75\">"
            svg += "<title>\(HTML.escape(m.title))</title></circle>"
        }
        return svg + "</svg>"
    }

    private func f(_ v: Double) -> String { String(format: "%.1f", v) }

    static func short(_ v: Double) -> String {
        if v == 0 { return "0" }
        if v >= 10 || v == v.rounded() { return String(format: "%.0f", v) }
        if v >= 1 { return String(format: "%.1f", v) }
        return String(format: "%.2f", v).replacingOccurrences(of: "0+$", with: "", options: .regularExpression)
    }

    /// A step of 1, 2, 2.5 or 5 times a power of ten giving at most 5 intervals, and the top it reaches.
    static func niceScale(_ maximum: Double) -> (step: Double, top: Double) {
        let raw = maximum / 5
        let magnitude = pow(10, floor(log10(raw)))
        let step = [1.0, 2, 2.5, 5, 10].map { $0 * magnitude }.first { $0 >= raw } ?? 10 * magnitude
        return (step, step * max(1, (maximum / step).rounded(.up)))
    }

    static func roundTicks(_ lo: Double, _ hi: Double) -> [(Double, String)] {
        let (step, _) = niceScale(hi - lo)
        var ticks: [(Double, String)] = []
        var x = (lo / step).rounded(.up) * step
        while x <= hi + 1e-9 {
            ticks.append((x, short(x)))
            x += step
        }
        return ticks
    }
}
