import TinaCore

/// How often the imperfect teacher's traces go wrong, each a probability per trace (at most one flaw each).
public struct TeacherNoise: Sendable, Hashable {
    /// An arithmetic error in one step, carried through to a wrong final answer.
    public var slip: Double
    /// Two steps done in one line (the answer stays right, but a student copying it has to compute more at once).
    public var skip: Double
    /// A broken format: the closing </think> or the \boxed{} missing (half each).
    public var format: Double

    public init(slip: Double, skip: Double, format: Double) throws {
        guard [slip, skip, format].allSatisfy({ $0 >= 0 && $0 <= 1 }), slip + skip + format <= 1 else {
            throw TinaError.invalidArgument("teacher noise rates must be in [0, 1] and sum to at most 1 (slip \(slip), skip \(skip), format \(format))")
        }
        self.slip = slip
        self.skip = skip
        self.format = format
    }

    /// `total` split as slips 55 %, skips 25 %, format breaks 20 %: mostly wrong answers, with enough broken
    /// formats that the format reward has something to fix.
    public init(total: Double) throws {
        try self.init(slip: total * 0.55, skip: total * 0.25, format: total * 0.2)
    }

    public static let none = TeacherNoise(uncheckedSlip: 0, skip: 0, format: 0)

    private init(uncheckedSlip slip: Double, skip: Double, format: Double) {
        self.slip = slip
        self.skip = skip
        self.format = format
    }

    public var total: Double { slip + skip + format }
}
