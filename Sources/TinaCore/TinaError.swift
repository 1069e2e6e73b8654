/// Errors raised by Tina's libraries. Each names what was being read (file, field, tensor) and why it failed,
/// so a user can fix the input without reading the code.
public enum TinaError: Error, CustomStringConvertible, Equatable, Sendable {
    /// A file or stream does not follow its format. `source` is usually the path, `reason` says what is wrong.
    case malformed(source: String, reason: String)
    /// A value is valid in its format but not supported by Tina (e.g. an unknown dtype or rope kind).
    case unsupported(source: String, reason: String)
    /// A tensor or argument has the wrong shape.
    case shapeMismatch(what: String, expected: [Int], actual: [Int])
    /// A named thing (tensor, file, key) is absent.
    case missing(source: String, what: String)
    /// An operating-system call failed.
    case io(path: String, reason: String)
    /// A command-line or API argument is invalid.
    case invalidArgument(String)

    public var description: String {
        switch self {
        case let .malformed(source, reason): return "\(source): malformed: \(reason)"
        case let .unsupported(source, reason): return "\(source): unsupported: \(reason)"
        case let .shapeMismatch(what, expected, actual):
            return "\(what): shape mismatch: expected \(expected), got \(actual)"
        case let .missing(source, what): return "\(source): missing \(what)"
        case let .io(path, reason): return "\(path): \(reason)"
        case let .invalidArgument(message): return "invalid argument: \(message)"
        }
    }
}
