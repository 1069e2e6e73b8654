import Foundation

enum Paths {
    static let repository = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent()
    static let fixtures = repository.appendingPathComponent("Tests/Fixtures").path
    static let shared = ProcessInfo.processInfo.environment["TINA_SHARED_DIR"]
        ?? repository.deletingLastPathComponent().appendingPathComponent("shared").path
    static let smolLM2 = shared + "/models/smollm2-135m-instruct/SmolLM2-135M-Instruct.Q4_1.gguf"

    static func fixture(_ relative: String) -> String { fixtures + "/" + relative }
}

func readJSON(_ path: String) throws -> [String: Any] {
    let data = try Data(contentsOf: URL(fileURLWithPath: path))
    return try JSONSerialization.jsonObject(with: data) as? [String: Any] ?? [:]
}

/// Largest |a - b| / max(1, |b|); infinity when lengths differ or a value is NaN.
func maxScaledError(_ a: [Float], _ b: [Float]) -> Float {
    guard a.count == b.count else { return .infinity }
    var worst: Float = 0
    for i in a.indices {
        let e = abs(a[i] - b[i]) / max(1, abs(b[i]))
        if e.isNaN { return .infinity }
        worst = max(worst, e)
    }
    return worst
}

func temporaryDirectory() throws -> String {
    let path = NSTemporaryDirectory() + "tina-test-\(UUID().uuidString)"
    try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
    return path
}

func errorText(_ body: () throws -> Void) -> String {
    do { try body(); return "" } catch { return "\(error)" }
}
