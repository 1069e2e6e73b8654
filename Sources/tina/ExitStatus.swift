import Foundation
import TinaCore

/// The exit statuses of every `tina` subcommand (README "Errors and exit codes").
enum ExitStatus: Int32 {
    case success = 0
    /// An input could not be read, parsed or processed (missing file, malformed JSON, a limit exceeded, a pair
    /// that could not be graded); the message names the subcommand, the input and the reason.
    case runtime = 1
    /// Bad, missing or conflicting arguments; the message is followed by the subcommand's usage.
    case usage = 2
    /// `grade --gold --pred`: the pair was graded, and is incorrect.
    case incorrect = 3

    static func exit(_ status: ExitStatus) -> Never { Foundation.exit(status.rawValue) }

    static func printError(_ text: String, newline: Bool = true) {
        FileHandle.standardError.write(Data((text.hasSuffix("\n") || !newline ? text : text + "\n").utf8))
    }

    /// A one-line reason: TinaError's own description, Foundation errors without their NSError dump.
    static func describe(_ error: Error) -> String {
        if let error = error as? TinaError { return error.description }
        if let error = error as? CocoaError, let path = error.filePath ?? error.url?.path {
            return "\(path): \(error.localizedDescription)"
        }
        if type(of: error) is NSError.Type || error is CocoaError { return (error as NSError).localizedDescription }
        return "\(error)"
    }
}

/// Reads a whole text file, failing with a TinaError that names it.
func readTextFile(_ path: String, what: String = "file") throws -> String {
    var isDirectory: ObjCBool = false
    guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
        throw TinaError.io(path: path, reason: "no such \(what)")
    }
    guard !isDirectory.boolValue else { throw TinaError.io(path: path, reason: "is a directory, not a \(what)") }
    guard let data = FileManager.default.contents(atPath: path) else { throw TinaError.io(path: path, reason: "cannot read the \(what)") }
    guard let text = String(data: data, encoding: .utf8) else { throw TinaError.malformed(source: path, reason: "not valid UTF-8") }
    return text
}

/// Fails early, before any work, when `path` cannot be written: its folder is missing or not a folder.
func checkWritable(_ path: String) throws {
    let folder = (path as NSString).deletingLastPathComponent
    var isDirectory: ObjCBool = false
    let target = folder.isEmpty ? "." : folder
    guard FileManager.default.fileExists(atPath: target, isDirectory: &isDirectory), isDirectory.boolValue else {
        throw TinaError.io(path: path, reason: "folder '\(target)' does not exist")
    }
    guard FileManager.default.isWritableFile(atPath: target) else { throw TinaError.io(path: path, reason: "folder '\(target)' is not writable") }
}

/// Writes `text` to `path` atomically, with a TinaError naming the file on failure.
func writeTextFile(_ text: String, to path: String) throws {
    try checkWritable(path)
    do {
        try Data(text.utf8).write(to: URL(fileURLWithPath: path), options: .atomic)
    } catch {
        throw TinaError.io(path: path, reason: "cannot write: \((error as NSError).localizedDescription)")
    }
}

/// A runtime failure whose message is already complete ("could not grade: ...").
struct CommandFailure: Error, CustomStringConvertible {
    let description: String
}
