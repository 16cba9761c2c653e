/// Why a model file could not be read. Every case names the file, so a user with a folder of
/// checkpoints knows which one is at fault.
public struct CheckpointError: Error, CustomStringConvertible, Equatable {
    /// The file or folder the problem was found in.
    public var path: String
    /// What is wrong, in one sentence.
    public var problem: String

    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }

    public var description: String { "\(path): \(problem)" }
}
