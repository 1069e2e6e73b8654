import Foundation
import Yams

extension GRPORecipe {
    /// The resolved recipe as YAML: every key with its effective value (defaults included; null-valued optional
    /// keys left out), headed by comments naming the source and the ignored keys. `load` reads it back to an
    /// equal recipe, so a run directory's copy reproduces the run.
    public func resolvedYAML(overrides: [String] = []) throws -> String {
        var header = "# Resolved GRPO recipe (every key, defaults filled in) written by tina.\n"
        if let recipePath { header += "# source: \(recipePath)\n" }
        for override in overrides { header += "# --set \(override)\n" }
        for note in notes { header += "# \(note)\n" }
        return header + (try YAMLEncoder().encode(self))
    }
}
