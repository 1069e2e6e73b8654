import Foundation
import TinaCore

/// Small JSON state files of a run (trainer state, checkpoint markers): written atomically and pretty-printed with
/// sorted keys (so two runs' files compare with diff), read back with errors that name the file.
public enum JSONFile {
    public static func write<Value: Encodable>(_ value: Value, to path: String) throws {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
        let bytes: Data
        do { bytes = try encoder.encode(value) } catch {
            throw TinaError.invalidArgument("cannot encode \(path): \(error)")
        }
        let writer = try AtomicFileWriter(path: path)
        try writer.write(Array(bytes) + Array("\n".utf8))
        try writer.commit()
    }

    public static func read<Value: Decodable>(_ type: Value.Type, from path: String) throws -> Value {
        guard let data = FileManager.default.contents(atPath: path) else { throw TinaError.io(path: path, reason: "cannot read") }
        do { return try JSONDecoder().decode(type, from: data) } catch let DecodingError.keyNotFound(key, _) {
            throw TinaError.malformed(source: path, reason: "no field '\(key.stringValue)'")
        } catch let DecodingError.typeMismatch(_, context), let DecodingError.valueNotFound(_, context) {
            let field = context.codingPath.map(\.stringValue).joined(separator: ".")
            throw TinaError.malformed(source: path, reason: "field '\(field)': \(context.debugDescription)")
        } catch {
            throw TinaError.malformed(source: path, reason: "not the expected JSON (\(error))")
        }
    }
}
