/// The operators of the demo's arithmetic task. Division is left out: exact integer answers without remainders
/// would constrain the operands too much for so small a model.
public enum ArithmeticOperator: String, CaseIterable, Sendable, Hashable {
    case add = "+", subtract = "-", multiply = "*"

    /// Binding strength as written in the expression (`*` binds tighter than `+` and `-`).
    public var precedence: Int { self == .multiply ? 2 : 1 }

    /// `left op right`; nil on overflow (never for the shipped difficulties, but operands come from callers too).
    public func apply(_ left: Int, _ right: Int) -> Int? {
        let (value, overflow): (Int, Bool)
        switch self {
        case .add: (value, overflow) = left.addingReportingOverflow(right)
        case .subtract: (value, overflow) = left.subtractingReportingOverflow(right)
        case .multiply: (value, overflow) = left.multipliedReportingOverflow(by: right)
        }
        return overflow ? nil : value
    }
}
