import ArgumentParser
import Foundation
import TinaCore

@main
struct Tina: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "tina",
        abstract: "Tiny reasoning models via LoRA: models, tokenizers, chat templates and generation, natively in Swift.",
        discussion: """
        Tina reads Hugging Face model directories (config.json + safetensors, sharded or not) and GGUF files. \
        Environment: TINA_NUM_THREADS sets the thread count of everything (Tina's kernels and oneDNN's OpenMP \
        threads; default: all cores). `tina info` prints the CPU, its features and the kernel paths in use. \
        Exit status: 0 success, 1 runtime error (an input could not be read, parsed or processed), 2 usage error \
        (bad or missing arguments); `grade` exits 3 when a single pair is graded incorrect.
        """,
        version: "0.1.0",
        subcommands: [Info.self, Inspect.self, Tokenize.self, Detokenize.self, ChatTemplateCommand.self, Score.self, Generate.self, Grade.self, Eval.self, SFT.self, Train.self, Merge.self, PlotCommand.self, DemoCommand.self, Bench.self, InitModel.self, DemoDataCommand.self]
    )

    /// Parses and runs a subcommand with one exit-code convention for all of them (see `ExitStatus`):
    /// usage errors print the subcommand's usage, runtime errors print the subcommand, the input and the reason.
    static func main() {
        var command: ParsableCommand
        do {
            command = try parseAsRoot()
        } catch {
            let code = exitCode(for: error)
            if code == .success {
                print(fullMessage(for: error))
                ExitStatus.exit(.success)
            }
            ExitStatus.printError(fullMessage(for: error))
            ExitStatus.exit(code == .validationFailure ? .usage : .runtime)
        }
        let name = "tina " + type(of: command)._commandName
        do {
            try command.run()
        } catch let code as ExitCode {
            Foundation.exit(code.rawValue)
        } catch let error as ValidationError {
            ExitStatus.printError("\(name): error: \(error.message)\n" + usageString(for: type(of: command)))
            ExitStatus.exit(.usage)
        } catch {
            switch exitCode(for: error) {
            case .success: exit(withError: error)  // `tina help ...`: ArgumentParser prints the help screen
            case .validationFailure:
                ExitStatus.printError(fullMessage(for: error))
                ExitStatus.exit(.usage)
            default:
                ExitStatus.printError("\(name): error: \(ExitStatus.describe(error))")
                ExitStatus.exit(.runtime)
            }
        }
    }
}
