import Foundation

/// Paths of the committed fixtures and of the shared folder beside the repository, for every test target.
public enum Paths {
    public static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    public static let fixtures = repository.appendingPathComponent("Tests/Fixtures").path
    /// `TINA_SHARED_DIR`, else `../shared` next to the repository.
    public static let shared = ProcessInfo.processInfo.environment["TINA_SHARED_DIR"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared").path
    public static let smolLM2 = shared + "/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"
    public static let r1Directory = shared + "/models/deepseek-r1-distill-qwen-1.5b"
    public static let r1Config = r1Directory + "/config.json"

    public static func fixture(_ relative: String) -> String { fixtures + "/" + relative }
}

/// A fresh temporary directory (the caller removes it).
public func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "tina-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

public func readJSON(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// The error a throwing call raised, as text (empty when it did not throw).
public func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}

/// Largest |a - b| / max(1, |b|) (a mixed absolute/relative error); infinity when lengths differ or a value is NaN.
public func maxScaledError(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for i in a.indices {
        let e = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if e.isNaN { return .infinity }
        worst = max(worst, e)
    }
    return worst
}

/// The `tina` executable of the same build as the running tests (SwiftPM puts both in one directory).
public let tinaBinary: String = {
    let beside = URL(fileURLWithPath: CommandLine.arguments[0]).deletingLastPathComponent().appendingPathComponent("tina").path
    if FileManager.default.isExecutableFile(atPath: beside) { return beside }
    return Paths.repository.appendingPathComponent(".build/release/tina").path
}()

/// Whether `../shared` (or TINA_SHARED_DIR) provides the real models and data sets: tests that need them are
/// disabled with this reason when it does not, so a run without it reports them as skipped.
public enum SharedFiles {
    public static let modelsPresent = FileManager.default.fileExists(atPath: Paths.smolLM2)
        && FileManager.default.fileExists(atPath: Paths.r1Directory + "/tokenizer.json")
    public static let dataPresent = FileManager.default.fileExists(atPath: Paths.shared + "/data/math500.jsonl")
    public static let missingModels = "../shared/models (SmolLM2 GGUF, DeepSeek-R1 tokenizer) not found"
    public static let missingData = "../shared/data not found"
}
