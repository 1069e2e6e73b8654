import Foundation
import TinaCore

/// The `{"type": ..., ...}` object of one tokenizer.json component (normalizer, pre_tokenizer, decoder,
/// post_processor): nil when the field is absent or null, an error naming the component when it has no type.
func typedComponent(_ json: Any?, kind: String, source: String) throws -> (object: [String: Any], type: String)? {
    guard let json, !(json is NSNull) else { return nil }
    guard let object = json as? [String: Any], let type = object["type"] as? String else {
        throw TinaError.malformed(source: source, reason: "\(kind) has no type")
    }
    return (object, type)
}
