import Foundation
import TinaCore
import TinaGeneration

/// Runs `body` with a pointer to `row` (empty rows get a dangling-free one-element buffer).
func withRow<T>(_ row: [Float], _ body: (UnsafePointer<Float>) -> T) -> T {
    let padded = row.isEmpty ? [Float(0)] : row
    return padded.withUnsafeBufferPointer { body($0.baseAddress ?? UnsafePointer(bitPattern: 1)!) }
}

func withMutableRow<T>(_ row: inout [Float], _ body: (UnsafeMutablePointer<Float>) -> T) -> T {
    row.withUnsafeMutableBufferPointer { body($0.baseAddress!) }
}

/// Logits whose softmax at temperature 1 is `probabilities`.
func logits(of probabilities: [Double]) -> [Float] { probabilities.map { Float(Foundation.log($0)) } }

func close(_ a: [Double], _ b: [Double], _ tolerance: Double = 1e-6) -> Bool {
    a.count == b.count && zip(a, b).allSatisfy { abs($0 - $1) <= tolerance }
}
