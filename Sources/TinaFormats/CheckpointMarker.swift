import Foundation
import TinaCore

/// The last file written into a checkpoint folder: it lists every other file with its size. A folder is complete
/// only when the marker is there and every listed file has its listed size, so a folder that a kill, a full disk or
/// an interrupted copy left behind is never mistaken for a checkpoint to resume from.
public struct CheckpointMarker: Codable, Equatable, Sendable {
    public static let fileName = "checkpoint_complete.json"

    public var step: Int
    /// File name -> size in bytes.
    public var files: [String: Int]

    /// Lists the files of `folder` (written and flushed) and writes the marker beside them.
    @discardableResult
    public static func write(into folder: String, step: Int) throws -> CheckpointMarker {
        var files: [String: Int] = [:]
        for name in try listing(folder) where name != fileName {
            files[name] = try size(of: folder + "/" + name)
        }
        let marker = CheckpointMarker(step: step, files: files)
        try JSONFile.write(marker, to: folder + "/" + fileName)
        return marker
    }

    /// Throws, naming the folder and what is wrong, unless the folder is a complete checkpoint.
    @discardableResult
    public static func check(_ folder: String) throws -> CheckpointMarker {
        let path = folder + "/" + fileName
        guard FileManager.default.fileExists(atPath: path) else {
            throw TinaError.missing(source: folder, what: "\(fileName) (the checkpoint was not finished: a run stopped while writing it)")
        }
        let marker = try JSONFile.read(CheckpointMarker.self, from: path)
        for (name, expected) in marker.files.sorted(by: { $0.key < $1.key }) {
            let actual = try? size(of: folder + "/" + name)
            guard actual == expected else {
                throw TinaError.malformed(source: folder + "/" + name,
                                          reason: actual.map { "\($0) bytes, the checkpoint marker says \(expected)" } ?? "missing, the checkpoint marker lists it")
            }
        }
        return marker
    }

    public static func isComplete(_ folder: String) -> Bool { (try? check(folder)) != nil }

    private static func listing(_ folder: String) throws -> [String] {
        do { return try FileManager.default.contentsOfDirectory(atPath: folder).sorted() } catch {
            throw TinaError.io(path: folder, reason: "cannot list the checkpoint folder")
        }
    }

    private static func size(of path: String) throws -> Int {
        guard let attributes = try? FileManager.default.attributesOfItem(atPath: path),
              let size = (attributes[.size] as? NSNumber)?.intValue else {
            throw TinaError.io(path: path, reason: "cannot read the file's size")
        }
        return size
    }
}
