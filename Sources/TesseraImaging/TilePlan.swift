/// A deterministic list of tiles covering a target image; produced by `TilePlanner.plan()`.
public struct TilePlan: Sendable, Hashable, Codable {
    /// Weight of a fully owned pixel along one axis; a pixel's weight is the product of its
    /// column and row weights, so it lies in `1...weightOne²` inside a blend region.
    public static let weightOne: Int32 = 1 << 15

    public let sourceWidth: Int
    public let sourceHeight: Int
    public let targetWidth: Int
    public let targetHeight: Int
    public let tileSize: Int
    public let padding: Int
    public let feather: Int
    public let order: TileOrder
    /// Number of tile rows and columns of the grid.
    public let rows: Int
    public let columns: Int
    /// Tiles in processing order.
    public let tiles: [PlannedTile]

    public var targetBounds: PixelRect { PixelRect(x: 0, y: 0, width: targetWidth, height: targetHeight) }

    /// Output x positions where one tile's core ends and the next begins.
    public var columnBoundaries: [Int] {
        tiles.filter { $0.row == 0 && $0.column > 0 }.map(\.core.x).sorted()
    }

    /// Output y positions where one tile's core ends and the next begins.
    public var rowBoundaries: [Int] {
        tiles.filter { $0.column == 0 && $0.row > 0 }.map(\.core.y).sorted()
    }

    /// The tile at a grid position.
    public func tile(row: Int, column: Int) -> PlannedTile? {
        tiles.first { $0.row == row && $0.column == column }
    }
}
