/// Where one job's files live inside the state directory:
/// `jobs/<id>/source.png`, `jobs/<id>/mask.png` (inpaint jobs), `jobs/<id>/tiles/<index>.tile` (and
/// `<index>.parameters` for generation jobs), `jobs/<id>/output.png`.
public struct JobFolder: Sendable {
    public let root: String

    public init(stateDir: String, jobId: String) {
        root = stateDir + "/jobs/" + jobId
    }

    public var sourcePath: String { root + "/source.png" }
    public var tilesDirectory: String { root + "/tiles" }
    public var outputPath: String { root + "/output.png" }
    /// The inpaint mask of an inpaint job, as the client sent it.
    public var maskPath: String { root + "/mask.png" }
    public func tilePath(_ index: Int) -> String { tilesDirectory + "/\(index).tile" }
    /// A generation job's `k`-th ControlNet control image, as the client sent it.
    public func hintPath(_ k: Int) -> String { root + "/hint-\(k).png" }
    /// A generation job's image: the A1111 `parameters` text the worker sent with it.
    public func parametersPath(_ index: Int) -> String { tilesDirectory + "/\(index).parameters" }

    public func create() throws {
        try AtomicFile.makeDirectories(tilesDirectory)
    }
}
