import Foundation
import TinaCore
#if canImport(Glibc)
import Glibc
#endif

/// Writes a file through a temporary sibling and renames it into place on `commit()`, so readers never see
/// a half-written file. Dropping the writer without committing removes the temporary file.
public final class AtomicFileWriter {
    public let path: String
    private let temporaryPath: String
    private var fd: Int32
    private var finished = false

    public init(path: String) throws {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        temporaryPath = (directory.isEmpty ? "" : directory + "/") + ".\(name).tmp-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_EXCL, 0o644)
        guard fd >= 0 else { throw TinaError.io(path: path, reason: "cannot create temporary file: \(String(cString: strerror(errno)))") }
    }

    public func write(_ buffer: UnsafeRawBufferPointer) throws {
        guard let base = buffer.baseAddress else { return }  // empty
        var done = 0
        while done < buffer.count {
            let n = Glibc.write(fd, base + done, buffer.count - done)
            if n < 0 {
                if errno == EINTR { continue }
                throw TinaError.io(path: path, reason: "write failed: \(String(cString: strerror(errno)))")
            }
            done += n
        }
    }

    public func write(_ data: [UInt8]) throws {
        try data.withUnsafeBytes { try write($0) }
    }

    /// Flushes, closes and renames the temporary file over `path`.
    public func commit() throws {
        guard !finished else { return }
        finished = true
        defer { fd = -1 }
        guard fsync(fd) == 0, close(fd) == 0 else {
            unlink(temporaryPath)
            throw TinaError.io(path: path, reason: "flush failed: \(String(cString: strerror(errno)))")
        }
        guard rename(temporaryPath, path) == 0 else {
            let reason = String(cString: strerror(errno))
            unlink(temporaryPath)
            throw TinaError.io(path: path, reason: "rename failed: \(reason)")
        }
    }

    deinit {
        if !finished {
            close(fd)
            unlink(temporaryPath)
        }
    }
}
