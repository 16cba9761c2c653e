/// A generation request or model folder that cannot be used, naming the field or file and the problem.
public struct PipelineError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The request field, flag or file at fault (e.g. `mask`, `--controlnet`, a LoRA name).
    public var subject: String
    /// What is wrong with it.
    public var problem: String

    public init(_ subject: String, _ problem: String) {
        self.subject = subject
        self.problem = problem
    }

    public var description: String { "\(subject): \(problem)" }
}
