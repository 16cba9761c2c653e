/// Errors raised by schedules, samplers and noise generation, each naming the offending
/// field or name and what is wrong with it.
public enum SamplingError: Error, Equatable, CustomStringConvertible {
    /// A name (sampler, scheduler, RNG source) that is not known; lists the known names.
    case unknownName(kind: String, name: String, known: [String], note: String?)
    /// A parameter outside its allowed range.
    case invalidParameter(name: String, problem: String)
    /// A denoiser, noise sampler or tensor that does not fit the sampler's expectations.
    case mismatch(String)

    /// The message shown to users.
    public var description: String {
        switch self {
        case let .unknownName(kind, name, known, note):
            var text = "unknown \(kind) '\(name)'; known: \(known.joined(separator: ", "))"
            if let note { text += " (\(note))" }
            return text
        case let .invalidParameter(name, problem):
            return "invalid \(name): \(problem)"
        case let .mismatch(problem):
            return problem
        }
    }
}
