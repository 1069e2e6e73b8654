import CTinaCPU

/// What this CPU can do, read from CPUID and XGETBV at run time. Kernel paths are chosen from these bits
/// (never from vendor or model numbers), so a CPU newer than every library still gets its best path.
public struct CPUInfo: Sendable, Codable {
    public let vendor: String
    public let brand: String
    public let family: Int
    public let model: Int
    public let avx2: Bool, fma: Bool, f16c: Bool
    public let avx512f: Bool, avx512bw: Bool, avx512vl: Bool, avx512dq: Bool, avx512VNNI: Bool
    public let avx512BF16: Bool, avx512FP16: Bool
    public let amxTile: Bool, amxBF16: Bool, amxInt8: Bool
    /// The OS saves the wide register state (XCR0): without it the instructions fault even when CPUID lists them.
    public let osSavesAVX: Bool, osSavesAVX512: Bool, osSavesAMX: Bool

    public static let current = CPUInfo()

    init() {
        var f = tina_cpu_features()
        tina_cpu_detect(&f)
        vendor = withUnsafeBytes(of: f.vendor) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
        brand = withUnsafeBytes(of: f.brand) { String(decoding: $0.prefix { $0 != 0 }, as: UTF8.self) }
            .trimmingCharacters(in: " ")
        family = Int(f.family); model = Int(f.model)
        avx2 = f.avx2 != 0; fma = f.fma != 0; f16c = f.f16c != 0
        avx512f = f.avx512f != 0; avx512bw = f.avx512bw != 0; avx512vl = f.avx512vl != 0; avx512dq = f.avx512dq != 0
        avx512VNNI = f.avx512_vnni != 0; avx512BF16 = f.avx512_bf16 != 0; avx512FP16 = f.avx512_fp16 != 0
        amxTile = f.amx_tile != 0; amxBF16 = f.amx_bf16 != 0; amxInt8 = f.amx_int8 != 0
        osSavesAVX = f.os_avx != 0; osSavesAVX512 = f.os_avx512 != 0; osSavesAMX = f.os_amx != 0
    }

    /// Usable instruction families, best last: what the OS and the CPU both allow.
    public var features: [String] {
        var list: [String] = []
        if avx2 && fma && osSavesAVX { list.append("avx2+fma") }
        if f16c { list.append("f16c") }
        if avx512f && avx512bw && avx512vl && osSavesAVX512 { list.append("avx512") }
        if avx512VNNI && osSavesAVX512 { list.append("avx512_vnni") }
        if avx512BF16 && osSavesAVX512 { list.append("avx512_bf16") }
        if avx512FP16 && osSavesAVX512 { list.append("avx512_fp16") }
        if amxTile && amxBF16 { list.append(osSavesAMX ? "amx_bf16" : "amx_bf16 (tile state off until requested)") }
        return list
    }

    /// The bf16 product hardware this CPU offers, as oneDNN will use it.
    public var bf16Hardware: String {
        if amxTile && amxBF16 { return "AMX-BF16 tiles" }
        if avx512BF16 && osSavesAVX512 { return "AVX512_BF16 dot products (vdpbf16ps)" }
        if avx512f && osSavesAVX512 { return "AVX-512 f32 FMA on widened bf16" }
        if avx2 && fma && osSavesAVX { return "AVX2 f32 FMA on widened bf16" }
        return "SSE (no AVX2: slow)"
    }

    /// "AMD EPYC (family 25 model 17)".
    public var name: String { "\(brand.isEmpty ? vendor : brand) (family \(family) model \(model))" }
}

private extension String {
    func trimmingCharacters(in set: Character) -> String {
        var s = Substring(self)
        while s.first == set { s.removeFirst() }
        while s.last == set { s.removeLast() }
        return String(s)
    }
}
