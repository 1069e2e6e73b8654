import Foundation
import Plot

/// An HTML page that shows a run's charts (SVG files beside it) with a short table of facts.
public struct RunPage: Sendable {
    public var title: String
    public var facts: [(String, String)]
    /// (caption, SVG file name relative to the page).
    public var charts: [(String, String)]

    public init(title: String, facts: [(String, String)], charts: [(String, String)]) {
        self.title = title
        self.facts = facts
        self.charts = charts
    }

    public var html: String {
        HTML(
            .head(.title(title), .meta(.charset(.utf8)),
                  .style("body{font-family:sans-serif;max-width:1340px;margin:2em auto}div.chart{display:inline-block;margin:8px}td{padding:2px 12px 2px 0}")),
            .body(
                .h1(.text(title)),
                .table(.forEach(facts) { fact in .tr(.td(.text(fact.0)), .td(.text(fact.1))) }),
                .forEach(charts) { chart in
                    .div(.class("chart"), .img(.src(chart.1), .alt(chart.0)))
                }
            )
        ).render(indentedBy: .spaces(1))
    }
}
