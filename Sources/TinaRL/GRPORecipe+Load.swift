import Foundation
import TinaCore
import Yams

extension GRPORecipe {
    /// Reads a YAML recipe, applies `--set key=value` overrides (values are YAML scalars or flow lists; nested keys
    /// as `lr_scheduler_kwargs.min_lr_rate=0.05`), fills TRL's defaults and validates every value.
    /// Errors name the file and line (or the override) and the key; unknown keys carry a spelling hint.
    public static func load(path: String, overrides: [String] = []) throws -> GRPORecipe {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TinaError.io(path: path, reason: "cannot read the recipe")
        }
        guard let text = String(data: data, encoding: .utf8) else {
            throw TinaError.malformed(source: path, reason: "the recipe is not UTF-8 text")
        }
        var recipe = try parse(yaml: text, source: path, overrides: overrides)
        recipe.recipePath = path
        return recipe
    }

    /// `load` on text already in memory; `source` names it in errors.
    public static func parse(yaml text: String, source: String, overrides: [String] = []) throws -> GRPORecipe {
        var reader = RecipeReader(source: source)
        try reader.read(yaml: text)
        for override in overrides { try reader.apply(override: override) }
        var recipe = try reader.decode()
        recipe.notes = reader.notes
        try recipe.validate(source: source, origins: reader.origins)
        return recipe
    }
}

/// Collects a recipe's keys (from the file, then the overrides) with where each came from, checks the names,
/// and decodes the result over the defaults.
struct RecipeReader {
    let source: String
    /// Canonical key -> value node.
    private(set) var values: [String: Node] = [:]
    /// Canonical key -> "FILE:LINE" or "--set key=value", for error messages.
    private(set) var origins: [String: String] = [:]
    private(set) var notes: [String] = []

    init(source: String) { self.source = source }

    mutating func read(yaml text: String) throws {
        let root: Node?
        do {
            root = try Yams.compose(yaml: text)
        } catch {
            throw TinaError.malformed(source: source, reason: "not valid YAML: \(error)")
        }
        guard let root else { return }  // an empty file: all defaults
        guard case let .mapping(mapping) = root else {
            throw TinaError.malformed(source: source, reason: "a recipe is a mapping of keys to values, not \(Self.describe(root))")
        }
        var unknown: [String] = []
        for (keyNode, value) in mapping {
            let origin = keyNode.mark.map { "\(source):\($0.line)" } ?? source
            guard case let .scalar(scalar) = keyNode else {
                throw TinaError.malformed(source: origin, reason: "a key must be a plain name, not \(Self.describe(keyNode))")
            }
            do {
                try set(key: scalar.string, value: value, origin: origin)
            } catch let RecipeKeyError.unknown(message) {
                unknown.append("\(origin): \(message)")
            }
        }
        // Every unknown key at once, so a recipe with several typos is fixed in one pass.
        if !unknown.isEmpty {
            throw TinaError.malformed(source: source, reason: unknown.count == 1 ? unknown[0] : "\n  " + unknown.joined(separator: "\n  "))
        }
    }

    /// `key=value`, `key.sub=value`.
    mutating func apply(override: String) throws {
        let origin = "--set \(override)"
        guard let equals = override.firstIndex(of: "="), equals != override.startIndex else {
            throw TinaError.invalidArgument("\(origin): expected KEY=VALUE")
        }
        let path = String(override[..<equals]), text = String(override[override.index(after: equals)...])
        let value: Node
        do {
            value = try Yams.compose(yaml: text) ?? Node("null", .implicit, .plain)
        } catch {
            throw TinaError.invalidArgument("\(origin): the value is not a YAML scalar: \(error)")
        }
        let parts = path.split(separator: ".", omittingEmptySubsequences: false).map(String.init)
        do {
            if parts.count == 1 {
                try set(key: parts[0], value: value, origin: origin, replacing: true)
            } else if parts.count == 2 {
                let top = RecipeKeys.aliases[parts[0]] ?? parts[0]
                guard RecipeKeys.nested[top] != nil else {
                    throw RecipeKeyError.unknown("'\(parts[0])' has no sub-keys" + Suggest.hint(for: parts[0], among: Array(RecipeKeys.nested.keys)))
                }
                var mapping: Node.Mapping = [:]
                if case let .mapping(existing)? = values[top] { mapping = existing }
                mapping[parts[1]] = value
                try set(key: top, value: .mapping(mapping), origin: origin, replacing: true)
            } else {
                throw RecipeKeyError.unknown("'\(path)' nests deeper than any recipe key")
            }
        } catch let RecipeKeyError.unknown(message) {
            throw TinaError.invalidArgument("\(origin): \(message)")
        }
    }

    private mutating func set(key name: String, value: Node, origin: String, replacing: Bool = false) throws {
        if let reason = RecipeKeys.refused[name] {
            throw RecipeKeyError.unknown("key '\(name)': \(reason)")
        }
        if let reason = RecipeKeys.ignored[name] {
            notes.append("\(name): accepted and ignored (\(reason))")
            return
        }
        if let rule = RecipeKeys.mustKeepDefault[name] {
            guard case let .scalar(scalar) = value, Bool.construct(from: scalar) == rule.value else {
                throw TinaError.unsupported(source: origin, reason: "key '\(name)' must be \(rule.value): \(rule.reason)")
            }
            return
        }
        let key = RecipeKeys.aliases[name] ?? name
        guard GRPORecipe.keys.contains(key) else {
            throw RecipeKeyError.unknown("unknown key '\(name)'" + Suggest.hint(for: name, among: RecipeKeys.accepted))
        }
        if !replacing, let earlier = origins[key] {
            throw TinaError.malformed(source: origin, reason: "key '\(name)' repeats '\(key)' set at \(earlier)")
        }
        if let allowed = RecipeKeys.nested[key] {
            try Self.checkNested(key: key, value: value, allowed: allowed, origin: origin)
        }
        values[key] = value
        origins[key] = origin
    }

    private static func checkNested(key: String, value: Node, allowed: [String], origin: String) throws {
        if case let .scalar(scalar) = value, scalar.string == "null" || scalar.string == "~" || scalar.string.isEmpty { return }
        guard case let .mapping(mapping) = value else {
            throw TinaError.malformed(source: origin, reason: "key '\(key)': expected a mapping (\(allowed.joined(separator: ", "))), got \(describe(value))")
        }
        for (sub, _) in mapping {
            let name = sub.string ?? describe(sub)
            guard allowed.contains(name) else {
                throw TinaError.malformed(source: origin, reason: "unknown key '\(key).\(name)'" + Suggest.hint(for: name, among: allowed)
                    + "; known: \(allowed.joined(separator: ", "))")
            }
        }
    }

    /// The defaults with this reader's values laid over them, decoded.
    func decode() throws -> GRPORecipe {
        var merged: Node.Mapping
        do {
            guard case let .mapping(defaults)? = try Yams.compose(yaml: YAMLEncoder().encode(GRPORecipe())) else {
                throw TinaError.malformed(source: "GRPORecipe defaults", reason: "did not encode as a mapping")
            }
            merged = defaults
            for (key, value) in values { merged[key] = value }
            let text = try Yams.serialize(node: .mapping(merged))
            return try YAMLDecoder().decode(GRPORecipe.self, from: text)
        } catch let error as DecodingError {
            throw explain(error)
        }
    }

    /// A decoding error as "FILE:LINE: key 'x': expected a number, got 'abc'".
    private func explain(_ error: DecodingError) -> TinaError {
        let (path, reason): ([CodingKey], String)
        switch error {
        case let .typeMismatch(type, context):
            (path, reason) = (context.codingPath, "expected \(Self.typeName(type))")
        case let .valueNotFound(type, context):
            (path, reason) = (context.codingPath, "expected \(Self.typeName(type))")
        case let .keyNotFound(key, context):
            (path, reason) = (context.codingPath + [key], "missing")
        case let .dataCorrupted(context):
            (path, reason) = (context.codingPath, "invalid value")
        @unknown default:
            return TinaError.malformed(source: source, reason: "\(error)")
        }
        let top = path.first?.stringValue ?? ""
        let keyText = path.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined().dropFirst()
        var message = "key '\(keyText)': \(reason)"
        if let value = values[top] { message += ", got \(Self.describe(value))" }
        if let choices = RecipeKeys.choices[top] {
            message += "; one of: \(choices.joined(separator: ", "))"
            if case let .scalar(scalar)? = values[top] { message += Suggest.hint(for: scalar.string, among: choices) }
        }
        return TinaError.malformed(source: origins[top] ?? source, reason: message)
    }

    static func typeName(_ type: Any.Type) -> String {
        switch type {
        case is Int.Type, is Int?.Type: return "an integer"
        case is Double.Type, is Double?.Type: return "a number"
        case is Bool.Type, is Bool?.Type: return "true or false"
        case is String.Type, is String?.Type: return "a string"
        case is [String].Type, is StringList.Type: return "a list of strings"
        case is [Double].Type: return "a list of numbers"
        case is Node.Sequence.Type: return "a list"
        case is Node.Mapping.Type: return "a mapping"
        case is Node.Scalar.Type: return "a single value"
        default: return "a value of type \(type)"
        }
    }

    static func describe(_ node: Node) -> String {
        switch node {
        case let .scalar(scalar): return "'\(scalar.string)'"
        case .mapping: return "a mapping"
        case .sequence: return "a list"
        }
    }
}

/// An unknown key, collected so that every unknown key of a file is reported together.
enum RecipeKeyError: Error {
    case unknown(String)
}
