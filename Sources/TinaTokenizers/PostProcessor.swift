import Foundation
import TinaCore

/// What `encode(addSpecialTokens: true)` wraps around a single sequence: the `single` template of a
/// TemplateProcessing post-processor ("<bos> $A" for DeepSeek-R1), as token ids before and after.
public struct PostProcessor: Sendable, Equatable {
    public var prefix: [Int]
    public var suffix: [Int]

    public init(prefix: [Int] = [], suffix: [Int] = []) {
        self.prefix = prefix
        self.suffix = suffix
    }

    static func parse(_ json: Any?, source: String) throws -> PostProcessor {
        guard let (object, type) = try typedComponent(json, kind: "post_processor", source: source) else { return PostProcessor() }
        switch type {
        case "ByteLevel":
            return PostProcessor()  // only trims offsets
        case "Sequence":
            let list = object["processors"] as? [Any] ?? []
            return try list.reduce(PostProcessor()) { acc, item in
                let p = try parse(item, source: source)
                return PostProcessor(prefix: acc.prefix + p.prefix, suffix: p.suffix + acc.suffix)
            }
        case "TemplateProcessing":
            guard let single = object["single"] as? [[String: Any]] else {
                throw TinaError.malformed(source: source, reason: "TemplateProcessing has no 'single' template")
            }
            let specials = object["special_tokens"] as? [String: Any] ?? [:]
            var result = PostProcessor()
            var seenSequence = false
            for piece in single {
                if piece["Sequence"] != nil { seenSequence = true; continue }
                guard let special = piece["SpecialToken"] as? [String: Any], let name = special["id"] as? String else {
                    throw TinaError.malformed(source: source, reason: "TemplateProcessing piece is neither Sequence nor SpecialToken")
                }
                guard let entry = specials[name] as? [String: Any], let ids = entry["ids"] as? [Int] else {
                    throw TinaError.malformed(source: source, reason: "TemplateProcessing special token '\(name)' has no ids")
                }
                if seenSequence { result.suffix += ids } else { result.prefix += ids }
            }
            return result
        default:
            throw TinaError.unsupported(source: source, reason: "post_processor type '\(type)'")
        }
    }
}
