/// Identifies one tile of one job.
public struct TileKey: Hashable, Sendable, Codable, CustomStringConvertible {
    public var jobId: String
    public var index: Int

    public init(jobId: String, index: Int) {
        self.jobId = jobId
        self.index = index
    }

    public var description: String { "\(jobId)#\(index)" }
}
