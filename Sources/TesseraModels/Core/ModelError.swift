/// Why a model could not be built or run: names the weight file or config field and the problem.
public struct ModelError: Error, CustomStringConvertible, Equatable {
    /// File, folder or field the problem belongs to.
    public var source: String
    /// What is wrong, in one sentence.
    public var problem: String

    public init(_ source: String, _ problem: String) {
        self.source = source
        self.problem = problem
    }

    public var description: String { "\(source): \(problem)" }
}
