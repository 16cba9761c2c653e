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

extension PipelineError {
    /// A `DecodingError` as one line naming the key path at fault (`[0].x: …`).
    public static func describe(decoding error: any Error) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? ".\($0.stringValue)" }.joined()
            let trimmed = keys.hasPrefix(".") ? String(keys.dropFirst()) : keys
            return trimmed.isEmpty ? context.debugDescription : "\(trimmed): \(context.debugDescription)"
        }
        switch error {
        case let DecodingError.typeMismatch(_, context), let DecodingError.dataCorrupted(context),
            let DecodingError.valueNotFound(_, context):
            return path(context)
        case let DecodingError.keyNotFound(key, context):
            return path(DecodingError.Context(codingPath: context.codingPath + [key], debugDescription: "missing"))
        default:
            return "\(error)"
        }
    }
}
