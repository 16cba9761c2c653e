/// The seed of one tile of a diffusion upscale: a pure function of the job seed and the tile's index, so any worker
/// renders any tile identically and the result does not depend on which worker rendered what.
public enum TileSeed {
    /// `seed + tileIndex` (wrapping within A1111's 32-bit seed range), or `seed` for every tile when `sameForAllTiles`.
    public static func seed(jobSeed: Int64, tileIndex: Int, sameForAllTiles: Bool) -> Int64 {
        if sameForAllTiles { return jobSeed }
        return (jobSeed + Int64(tileIndex)) % (Int64(UInt32.max) + 1)
    }
}
