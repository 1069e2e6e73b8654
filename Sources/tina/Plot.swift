import ArgumentParser
import Foundation
import TinaRL

struct PlotCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plot",
        abstract: "Draw a GRPO run's curves (SVG) and an index.html that shows them.",
        discussion: "Reads RUN_DIR/metrics.jsonl (written by tina train); writes RUN_DIR/plots/*.svg and RUN_DIR/index.html.")

    @Argument(help: "The run directory (a tina train output directory).") var runDirectory: String
    @Option(help: "Page title.") var title: String?

    func run() throws {
        let written = try RunPlots.write(runDirectory: runDirectory, title: title)
        for path in written { print(path) }
    }
}
