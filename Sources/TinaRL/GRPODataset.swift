import Foundation
import TinaCore

/// One training prompt: the problem text (the user message) and the gold string the rewards compare with.
public struct GRPOExample: Codable, Equatable, Sendable {
    public var problem: String
    public var solution: String
    /// Position among the dataset's usable examples (0-based); the sampler's orders index this.
    public var index: Int

    public init(problem: String, solution: String, index: Int) {
        self.problem = problem
        self.solution = solution
        self.index = index
    }
}

/// A GRPO training set from a local JSONL file (one object per line) or JSON file (an array of objects),
/// mapped to (problem, solution) as Tina's grpo.py does (tina-digest.md 3.3; see `ColumnMapping`).
/// Bad rows are never dropped silently: each is listed in `problems` as "FILE:LINE: reason", or fails the load.
public struct GRPODataset: Sendable {
    public let path: String
    public let examples: [GRPOExample]
    /// "FILE:LINE: reason" (or "FILE: element N: reason" for a JSON array) for each skipped row.
    public let problems: [String]
    /// The mapping that was applied (which columns became problem and solution).
    public let mapping: ColumnMapping

    public var count: Int { examples.count }

    /// Loads the recipe's dataset_name / dataset_config / dataset_train_split with its column rules.
    public static func load(recipe: GRPORecipe) throws -> GRPODataset {
        guard let name = recipe.datasetName else {
            throw TinaError.missing(source: recipe.recipePath ?? "recipe", what: "key 'dataset_name'")
        }
        return try load(name: name, config: recipe.datasetConfig, split: recipe.datasetTrainSplit,
                        solutionFrom: recipe.datasetSolutionFrom, badLines: recipe.datasetBadLines)
    }

    /// `name` is a .jsonl / .json file, or a directory holding `[config/]split.jsonl` or `.json`.
    public static func load(name: String, config: String? = nil, split: String = "train",
                            solutionFrom: SolutionSource = .auto, badLines: BadLinePolicy = .skip) throws -> GRPODataset {
        let file = try resolveFile(name: name, config: config, split: split)
        let rows = try readRows(path: file, badLines: badLines)
        guard !rows.rows.isEmpty else {
            throw TinaError.malformed(source: file, reason: "no usable example (\(rows.problems.count) bad rows)"
                + (rows.problems.first.map { "; first: \($0)" } ?? ""))
        }
        let mapping = try ColumnMapping.plan(columns: rows.columns, datasetName: name, solutionFrom: solutionFrom, source: file)
        var examples: [GRPOExample] = []
        var problems = rows.problems
        for row in rows.rows {
            do {
                let (problem, solution) = try mapping.apply(row.object)
                examples.append(GRPOExample(problem: problem, solution: solution, index: examples.count))
            } catch let error as TinaError {
                let message = "\(file)\(row.location): \(Self.reason(error))"
                if badLines == .fail { throw TinaError.malformed(source: "\(file)\(row.location)", reason: Self.reason(error)) }
                problems.append(message)
            }
        }
        guard !examples.isEmpty else {
            throw TinaError.malformed(source: file, reason: "no usable example (\(problems.count) bad rows)"
                + (problems.first.map { "; first: \($0)" } ?? ""))
        }
        return GRPODataset(path: file, examples: examples, problems: problems, mapping: mapping)
    }

    /// The file a dataset name points at. A name that is not on disk but looks like a Hub id gets told how to
    /// fetch it: there is no network access at training time.
    static func resolveFile(name: String, config: String?, split: String) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: name, isDirectory: &isDirectory) else {
            let parts = name.split(separator: "/")
            if parts.count == 2, !name.hasPrefix("."), !name.hasSuffix(".jsonl"), !name.hasSuffix(".json") {
                throw TinaError.unsupported(source: name, reason: "looks like a Hugging Face Hub dataset id; Tina reads local "
                    + "files only. Download it once (e.g. python3 -c \"import datasets; datasets.load_dataset('\(name)'"
                    + "\(config.map { ", '\($0)'" } ?? ""), split='\(split)').to_json('data/\(parts[1])/\(split).jsonl')\") "
                    + "and set dataset_name to that file")
            }
            throw TinaError.io(path: name, reason: "dataset not found")
        }
        guard isDirectory.boolValue else { return name }
        let directories = (config.map { [name + "/" + $0] } ?? []) + [name]
        for directory in directories {
            for ext in ["jsonl", "json"] where FileManager.default.fileExists(atPath: "\(directory)/\(split).\(ext)") {
                return "\(directory)/\(split).\(ext)"
            }
        }
        throw TinaError.missing(source: name, what: "\(split).jsonl or \(split).json"
            + (config.map { " (looked in \(name)/\($0) and \(name))" } ?? ""))
    }

    /// TinaError's reason without its source prefix (the caller adds file and line).
    static func reason(_ error: TinaError) -> String {
        switch error {
        case let .malformed(_, reason), let .unsupported(_, reason): return reason
        case let .missing(_, what): return "missing \(what)"
        case let .invalidArgument(message): return message
        default: return "\(error)"
        }
    }
}
