import Foundation
import TinaCore
import TinaFormats
#if canImport(Glibc)
import Glibc
#endif

/// The `checkpoint-N` folders of a training run directory (the Hugging Face trainers' layout), shared by the SFT and
/// GRPO runs. A checkpoint is filled in a hidden temporary folder, sealed with a `CheckpointMarker` and renamed into
/// place, and an old one is renamed away before it is deleted, so a kill at any moment leaves either no
/// `checkpoint-N` or a complete one; lookups skip folders without a valid marker all the same (left by older
/// versions, or a copy that was cut short).
public struct CheckpointFolders: Sendable {
    public static let prefix = "checkpoint-"
    public let runDirectory: String

    public init(runDirectory: String) {
        self.runDirectory = runDirectory
    }

    public func path(step: Int) -> String { runDirectory + "/" + Self.prefix + "\(step)" }

    /// Writes checkpoint-`step`: `fill` writes its files into the folder it is given; then the marker is written and
    /// the folder renamed into place (replacing an older checkpoint of the same step). Returns the final path.
    @discardableResult
    public func write(step: Int, _ fill: (String) throws -> Void) throws -> String {
        let fm = FileManager.default
        let final = path(step: step)
        let temporary = runDirectory + "/.\(Self.prefix)\(step).tmp"
        try? fm.removeItem(atPath: temporary)  // left by a run killed while writing this step
        do { try fm.createDirectory(atPath: temporary, withIntermediateDirectories: true) } catch {
            throw TinaError.io(path: temporary, reason: "cannot create the temporary checkpoint folder")
        }
        do {
            try fill(temporary)
            try CheckpointMarker.write(into: temporary, step: step)
        } catch {
            try? fm.removeItem(atPath: temporary)
            throw error
        }
        if fm.fileExists(atPath: final) { try discard(step: step) }
        guard rename(temporary, final) == 0 else {
            throw TinaError.io(path: final, reason: "cannot move the checkpoint into place: \(String(cString: strerror(errno)))")
        }
        syncDirectory(runDirectory)
        return final
    }

    /// Steps of the complete checkpoints, ascending.
    public func completeSteps() -> [Int] {
        let names = (try? FileManager.default.contentsOfDirectory(atPath: runDirectory)) ?? []
        return names.compactMap { name -> Int? in
            guard name.hasPrefix(Self.prefix), let step = Int(name.dropFirst(Self.prefix.count)), step >= 0 else { return nil }
            return CheckpointMarker.isComplete(runDirectory + "/" + name) ? step : nil
        }.sorted()
    }

    /// The newest complete checkpoint folder, if any.
    public func latestComplete() -> String? { completeSteps().last.map(path(step:)) }

    /// What `--resume` names: "latest" for the newest complete checkpoint of the run, else a folder, which must be
    /// complete.
    public func resolve(_ request: String) throws -> String {
        if request == "latest" {
            guard let folder = latestComplete() else {
                throw TinaError.missing(source: runDirectory, what: "a complete checkpoint-N folder to resume from (--resume latest)")
            }
            return folder
        }
        try CheckpointMarker.check(request)
        return request
    }

    /// Deletes the oldest complete checkpoints beyond the newest `limit` (transformers' save_total_limit). Folders
    /// without a marker are left alone: they are not this run's checkpoints to count.
    public func removeOldest(keeping limit: Int) throws {
        guard limit > 0 else { return }
        for step in completeSteps().dropLast(limit) { try discard(step: step) }
    }

    /// Deletes checkpoint-`step` so that a kill midway never leaves a partly deleted folder under the checkpoint's
    /// name: it is first renamed out of the way (atomic), then deleted. Leftovers of earlier kills go with it.
    private func discard(step: Int) throws {
        let fm = FileManager.default
        let trash = runDirectory + "/.\(Self.prefix)\(step).deleting"
        try? fm.removeItem(atPath: trash)
        guard rename(path(step: step), trash) == 0 else {
            throw TinaError.io(path: path(step: step), reason: "cannot move the old checkpoint away: \(String(cString: strerror(errno)))")
        }
        syncDirectory(runDirectory)
        try? fm.removeItem(atPath: trash)
        let names = (try? fm.contentsOfDirectory(atPath: runDirectory)) ?? []
        for name in names where name.hasPrefix("." + Self.prefix) && name.hasSuffix(".deleting") {
            try? fm.removeItem(atPath: runDirectory + "/" + name)
        }
    }

    /// Makes the rename durable: without it a power loss can undo the rename after the files themselves were flushed.
    private func syncDirectory(_ path: String) {
        let fd = open(path, O_RDONLY | O_DIRECTORY)
        guard fd >= 0 else { return }
        fsync(fd)
        close(fd)
    }
}
