import Foundation
import Yams

extension GRPORecipe {
    /// The resolved recipe as YAML: every key with its effective value (defaults included; null-valued optional
    /// keys left out), headed by comments naming the source, the overrides and the ignored keys. `load` reads it
    /// back to an equal recipe, so a run directory's copy reproduces the run.
    public func resolvedYAML(overrides: [String] = []) throws -> String {
        var header = "# Resolved GRPO recipe (every key, defaults filled in) written by tina.\n"
        if let recipePath { header += "# source: \(recipePath)\n" }
        for override in overrides { header += "# --set \(override)\n" }
        for note in notes { header += "# \(note)\n" }
        guard let node = try Yams.compose(yaml: YAMLEncoder().encode(self)) else { return header }
        return header + (try Yams.serialize(node: Self.readableNumbers(node)))
    }

    /// Yams writes doubles in exponent form ("5e-2", "9.9999999999999995e-07"); Swift's shortest round-trip form
    /// ("0.05", "1e-06") reads better and parses back to the same value.
    static func readableNumbers(_ node: Node) -> Node {
        switch node {
        case let .scalar(scalar):
            // The encoder quotes strings that look like numbers, so a plain scalar that parses as a double is one.
            guard scalar.style == .plain || scalar.style == .any, Int(scalar.string) == nil,
                  let value = Double.construct(from: scalar), value.isFinite else { return node }
            return Node("\(value)", scalar.tag, scalar.style)
        case let .mapping(mapping):
            return .mapping(Node.Mapping(mapping.map { ($0.key, readableNumbers($0.value)) }, mapping.tag, mapping.style))
        case let .sequence(sequence):
            return .sequence(Node.Sequence(sequence.map(readableNumbers), sequence.tag, sequence.style))
        }
    }
}
