import RehearseSupport

/// Escaping for text and attribute values in the HTML report.
enum HTML {
    /// Masked and without control characters (`OutgoingText`), then escaped.
    static func escape(_ text: String) -> String {
        var out = ""
        out.reserveCapacity(text.count)
        for c in OutgoingText.terminal(text) {
            switch c {
            case "&": out += "&amp;"
            case "<": out += "&lt;"
            case ">": out += "&gt;"
            case "\"": out += "&quot;"
            case "'": out += "&#39;"
            default: out.append(c)
            }
        }
        return out
    }

    /// A CSS class from a closed set, so a value from a results file never lands raw in an attribute.
    static func statusClass(_ status: String) -> String {
        switch status {
        case "ok", "passed", "approved": "ok"
        case "failed", "blocked": "failed"
        case "skipped", "not_run": "skipped"
        default: ""
        }
    }

    /// `<tr><td>…</td>…</tr>`; cells are escaped unless built with `Cell.raw`.
    static func row(_ cells: [Cell], header: Bool = false) -> String {
        let tag = header ? "th" : "td"
        return "<tr>" + cells.map { "<\(tag)\($0.className.isEmpty ? "" : " class=\"\($0.className)\"")>\($0.html)</\(tag)>" }.joined()
            + "</tr>"
    }

    struct Cell: ExpressibleByStringLiteral {
        var html: String
        var className: String

        init(stringLiteral text: String) { self.init(text) }
        /// Escaped text, optionally left-aligned (`l`) or with a status class.
        init(_ text: String, _ className: String = "") {
            html = HTML.escape(text)
            self.className = className
        }
        /// Markup this file built itself.
        static func raw(_ html: String, _ className: String = "") -> Cell {
            var c = Cell("", className)
            c.html = html
            return c
        }
    }
}
