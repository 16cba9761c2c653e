import Foundation

/// The endpoints a running coordinator actually bound (ports resolved when the config asked for `*`), written to
/// `<state_dir>/endpoints.json` so local mode and scripts can find an ephemeral-port coordinator.
public struct CoordinatorEndpoints: Codable, Sendable, Equatable {
    public var worker: String
    public var client: String
    public var pid: Int32

    public static func path(stateDir: String) -> String { stateDir + "/endpoints.json" }

    public func write(stateDir: String) throws {
        try AtomicFile.write(Array(JSONText.encode(self).utf8), to: Self.path(stateDir: stateDir))
    }

    public static func read(stateDir: String) -> CoordinatorEndpoints? {
        guard let data = FileManager.default.contents(atPath: path(stateDir: stateDir)) else { return nil }
        return try? JSONDecoder().decode(CoordinatorEndpoints.self, from: data)
    }
}
