/// GPT-2's reversible byte <-> unicode mapping (`bytes_to_unicode`): printable Latin-1 bytes map to
/// themselves, the other 68 bytes to U+0100 onwards, so any byte string becomes a string of visible
/// characters that BPE vocabularies are written in.
public enum ByteLevel {
    /// Scalar for each byte value.
    public static let byteToScalar: [Unicode.Scalar] = {
        var printable: [Int] = Array(33...126) + Array(161...172) + Array(174...255)
        let printableSet = Set(printable)
        var scalars = printable
        var next = 256
        for b in 0..<256 where !printableSet.contains(b) {
            printable.append(b)
            scalars.append(next)
            next += 1
        }
        var table = [Unicode.Scalar](repeating: " ", count: 256)
        // Every value here is below 0x200, a valid scalar.
        for (b, s) in zip(printable, scalars) { table[b] = Unicode.Scalar(UInt16(s)).map { $0 } ?? " " }
        return table
    }()

    /// Byte for each mapped scalar (nil for scalars outside the mapping).
    public static let scalarToByte: [UInt32: UInt8] = {
        var map: [UInt32: UInt8] = [:]
        for (b, s) in byteToScalar.enumerated() { map[s.value] = UInt8(b) }
        return map
    }()

    /// The mapped string of some bytes (e.g. " hello" -> "Ġhello").
    public static func encode<S: Sequence>(_ bytes: S) -> String where S.Element == UInt8 {
        var out = String.UnicodeScalarView()
        for b in bytes { out.append(byteToScalar[Int(b)]) }
        return String(out)
    }

    /// The bytes behind a mapped string; scalars outside the mapping are kept as their own UTF-8.
    public static func decode(_ text: String) -> [UInt8] {
        var bytes: [UInt8] = []
        for scalar in text.unicodeScalars {
            if let b = scalarToByte[scalar.value] {
                bytes.append(b)
            } else {
                bytes.append(contentsOf: Array(String(scalar).utf8))
            }
        }
        return bytes
    }
}
