/// Numbers written the way A1111's infotext shows them (Python `str()` of what the web UI sends).
enum PythonNumberFormat {
    /// Gradio hands integral slider values over as `int` (`CFG scale: 7`), others as `float`
    /// (`Denoising strength: 0.35`), whose `str()` is Python's shortest round-trip `repr`.
    static func uiNumber(_ value: Double) -> String {
        if value.isFinite, value == value.rounded(), abs(value) < 1e15 {
            return String(Int64(value))
        }
        return repr(value)
    }

    /// Python `repr(float)`. Swift's `description` is the same shortest round-trip digits; it
    /// only switches to exponent notation earlier (from 2^53 instead of 1e16).
    static func repr(_ value: Double) -> String {
        let magnitude = abs(value)
        if magnitude >= 9_007_199_254_740_992, magnitude < 1e16 {
            return String(Int64(value)) + ".0"
        }
        return value.description
    }
}
