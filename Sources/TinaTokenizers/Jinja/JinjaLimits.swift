import TinaCore

/// Bounds on what a chat template (and the JSON it reads) may make Tina do. Templates come from model folders
/// downloaded from the internet, so every recursion and every allocation a template controls is bounded here,
/// by a named constant, never by the size of the thread's stack. Real chat templates stay far below each bound
/// (expressions nest < 10 levels, blocks < 8, macros recurse < 10 levels).
///
/// The recursion bounds are small enough that the deepest allowed input renders on a 512 KiB stack
/// (checked by `JinjaLimitTests`).
public enum JinjaLimits {
    /// Nesting of one `{{ }}` / `{% %}` expression: parentheses, brackets, operators, calls and filters.
    public static let maxExpressionDepth = 100
    /// Nesting of `{% if %}`, `{% for %}`, `{% macro %}`, `{% set %}...{% endset %}` blocks.
    public static let maxBlockDepth = 100
    /// Macro calls inside macro calls (a macro that calls itself).
    public static let maxMacroCallDepth = 64
    /// Frames of the renderer at once: nested blocks, expressions and macro bodies together.
    public static let maxRenderDepth = 400
    /// Loop iterations in one render, all loops together (and the length of a `range()`).
    public static let maxLoopIterations = 1_000_000
    /// Bytes of rendered text, and of any single string a template builds.
    public static let maxOutputBytes = 64 << 20
    /// Elements of any single list a template builds.
    public static let maxListLength = 1_000_000
    /// Nesting of lists and objects, in messages JSON and in values a template builds.
    public static let maxValueDepth = 256

    static func exceeded(_ what: String, _ limit: Int, source: String = "chat template") -> TinaError {
        TinaError.malformed(source: source, reason: "\(what) exceeds the limit of \(limit)")
    }
}
