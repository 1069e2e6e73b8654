import Foundation
import Testing
import TinaTestSupport

/// `tina sft` killed with SIGKILL part-way (while it trains or writes a checkpoint, wherever the signal lands) and
/// continued with `--resume latest` ends with the same adapter and AdamW moments, byte for byte, as a run that was
/// never interrupted. On the committed demo base (1.6M parameters), so it needs nothing from ../shared.
@Suite struct SFTResumeCommandTests {
    static let base = Paths.repository.path + "/demo/base"

    static func arguments(data: String, heldOut: String, out: String) -> [String] {
        // 40 examples, batch 4: 10 steps per epoch, 30 steps; a checkpoint every step, the newest 3 kept.
        ["sft", "--model", base, "--data", data, "--out", out, "--batch", "4", "--micro-batch", "2", "--epochs", "3",
         "--lora-r", "4", "--lr", "1e-3", "--seed", "3", "--save-steps", "1", "--save-total-limit", "3",
         "--eval-data", heldOut, "--eval-steps", "10"]
    }

    /// The logged numbers (timings excluded) of each metrics.jsonl row.
    static func trajectory(_ out: String) throws -> [[String: Double]] {
        try String(contentsOfFile: out + "/metrics.jsonl", encoding: .utf8).split(separator: "\n").map { line in
            let row = try #require(try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Double])
            return row.filter { ["step", "epoch", "loss", "learningRate", "gradientNorm", "tokens", "evalLoss"].contains($0.key) }
        }
    }

    static func bytes(_ path: String) throws -> Data { try Data(contentsOf: URL(fileURLWithPath: path)) }

    /// Whether the folder's checkpoint_complete.json is there and every file it lists has the listed size.
    static func isComplete(_ folder: String) throws -> Bool {
        guard FileManager.default.fileExists(atPath: folder + "/checkpoint_complete.json") else { return false }
        let files = try #require(try readJSON(folder + "/checkpoint_complete.json")["files"] as? [String: Int])
        return files.allSatisfy { name, size in
            ((try? FileManager.default.attributesOfItem(atPath: folder + "/" + name))?[.size] as? NSNumber)?.intValue == size
        }
    }

    @Test func aKilledRunResumesBitIdentically() throws {
        let directory = try temporaryDirectory()
        defer { try? FileManager.default.removeItem(atPath: directory) }
        let data = directory + "/train.jsonl", heldOut = directory + "/held-out.jsonl"
        #expect(try CLI.run(["demo-data", "--count", "40", "--split", "train", "--seed", "1", "--out", data]).status == 0)
        #expect(try CLI.run(["demo-data", "--count", "6", "--split", "train", "--seed", "2", "--out", heldOut]).status == 0)
        let straight = directory + "/straight", killed = directory + "/killed"

        let reference = try CLI.run(Self.arguments(data: data, heldOut: heldOut, out: straight))
        #expect(reference.status == 0, "\(reference.stderr)")

        // Killed soon after checkpoint-5 is complete: SIGKILL, no chance to clean up.
        let process = Process()
        process.executableURL = URL(fileURLWithPath: CLI.binary)
        process.arguments = Self.arguments(data: data, heldOut: heldOut, out: killed)
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        let deadline = Date().addingTimeInterval(120)
        while process.isRunning, Date() < deadline, !FileManager.default.fileExists(atPath: killed + "/checkpoint-5/checkpoint_complete.json") {
            usleep(1_000)
        }
        usleep(UInt32.random(in: 0...30_000))  // anywhere in the steps and checkpoint writes that follow
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
        #expect(process.terminationReason == .uncaughtSignal, "the run finished before it could be killed")
        // Whatever the signal interrupted, every checkpoint-N folder there is complete.
        let names = try FileManager.default.contentsOfDirectory(atPath: killed).filter { $0.hasPrefix("checkpoint-") }
        #expect(!names.isEmpty)
        for name in names { #expect(try Self.isComplete(killed + "/" + name), "\(name)") }

        // Starting over in the killed run's folder is refused; --resume latest continues it.
        let fresh = try CLI.run(Self.arguments(data: data, heldOut: heldOut, out: killed))
        #expect(fresh.status != 0 && fresh.stderr.contains("--resume latest"), "\(fresh.stderr)")
        let resumed = try CLI.run(Self.arguments(data: data, heldOut: heldOut, out: killed) + ["--resume", "latest"])
        #expect(resumed.status == 0, "\(resumed.stderr)")
        #expect(resumed.stderr.contains("sft: resumed from \(killed)/checkpoint-"), "\(resumed.stderr)")

        #expect(try Self.bytes(straight + "/adapter_model.safetensors") == Self.bytes(killed + "/adapter_model.safetensors"))
        #expect(try Self.bytes(straight + "/checkpoint-30/optimizer.safetensors") == Self.bytes(killed + "/checkpoint-30/optimizer.safetensors"))
        let x = try Self.trajectory(straight), y = try Self.trajectory(killed)
        #expect(x.count == 30 && x == y)
        #expect(x.filter { $0["evalLoss"] != nil }.map { $0["step"] } == [10, 20, 30])
        let kept = try FileManager.default.contentsOfDirectory(atPath: killed).filter { $0.hasPrefix("checkpoint-") }.sorted()
        #expect(kept == ["checkpoint-28", "checkpoint-29", "checkpoint-30"])
    }
}
