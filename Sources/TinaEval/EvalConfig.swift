import Foundation

/// What a run was asked to do; saved as `config.json` in the run folder. A resumed run must generate the same
/// way (same model, adapter, template and sampling), or its samples would mix two experiments.
public struct EvalConfig: Codable, Sendable, Equatable {
    public var model: String
    public var adapter: String?
    /// A built-in template name or file; nil for the tokenizer's own template.
    public var template: String?
    public var temperature: Float
    public var topP: Float
    public var topK: Int
    public var seed: UInt64
    public var maxNewTokens: Int
    public var lightevalBos: Bool
    /// "math" (lighteval's query around the problem) or "raw" (the problem alone); nil in runs made before it existed.
    public var query: String?
    /// Samples per problem (`--n`).
    public var samples: Int
    public var benchmarks: [String]

    public init(model: String, adapter: String? = nil, template: String? = nil, temperature: Float = 0.6, topP: Float = 0.95,
                topK: Int = 0, seed: UInt64 = 1234, maxNewTokens: Int = 32768, lightevalBos: Bool = false, query: String = "math",
                samples: Int = 1, benchmarks: [String] = []) {
        self.model = model
        self.adapter = adapter
        self.template = template
        self.temperature = temperature
        self.topP = topP
        self.topK = topK
        self.seed = seed
        self.maxNewTokens = maxNewTokens
        self.lightevalBos = lightevalBos
        self.query = query
        self.samples = samples
        self.benchmarks = benchmarks
    }

    /// The fields that decide what a sample is, where they differ from `other` ("temperature 0.6 -> 0.7").
    public func generationDifferences(from other: EvalConfig) -> [String] {
        var out: [String] = []
        func check<T: Equatable>(_ name: String, _ a: T, _ b: T) { if a != b { out.append("\(name) \(b) -> \(a)") } }
        check("model", model, other.model)
        check("adapter", adapter ?? "none", other.adapter ?? "none")
        check("template", template ?? "tokenizer's", other.template ?? "tokenizer's")
        check("temperature", temperature, other.temperature)
        check("top_p", topP, other.topP)
        check("top_k", topK, other.topK)
        check("seed", seed, other.seed)
        check("max_new_tokens", maxNewTokens, other.maxNewTokens)
        check("lighteval_bos", lightevalBos, other.lightevalBos)
        check("query", query ?? "math", other.query ?? "math")
        return out
    }

    static let encoder: JSONEncoder = {
        let e = JSONEncoder()
        e.keyEncodingStrategy = .convertToSnakeCase
        e.outputFormatting = [.sortedKeys, .prettyPrinted, .withoutEscapingSlashes]
        return e
    }()

    static let decoder: JSONDecoder = {
        let d = JSONDecoder()
        d.keyDecodingStrategy = .convertFromSnakeCase
        return d
    }()
}
