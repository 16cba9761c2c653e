import Foundation
import TesseraTensor
#if canImport(Glibc)
import Glibc
#endif

/// Where a tiled VAE pass keeps the whole-image activations between two GroupNorms.
public enum TiledVAEStorage: Sendable, Equatable {
    /// In memory: fastest; memory grows with the image.
    case memory
    /// In unlinked temporary files under `directory`, read and written with `pread`/`pwrite`, so the
    /// process keeps only the tiles it works on (the kernel's page cache holds the rest, and can
    /// drop it).
    case temporaryFiles(directory: String)
    /// In memory while an activation is at most `memoryLimitBytes`, in temporary files in the
    /// system temporary directory above that.
    case automatic(memoryLimitBytes: Int)

    /// `automatic` with 64 MB: small images stay in memory, large ones never hold a whole
    /// full-resolution activation.
    public static let `default` = TiledVAEStorage.automatic(memoryLimitBytes: 64 << 20)
}

/// One whole-image `[N, C, H, W]` activation that tiles are cut from and written back to.
///
/// Tiles are read with their context and written as disjoint cores, so every value is written
/// once; only one tile's worth of it is ever in the process when the store is file-backed.
final class TiledActivationStore: @unchecked Sendable {
    let shape: [Int]
    private var memory: [Float]
    private let descriptor: Int32

    /// A store of `shape`, zero-filled, backed as `storage` decides for its size.
    init(shape: [Int], storage: TiledVAEStorage) throws {
        self.shape = shape
        let count = shape.reduce(1, *)
        let directory: String?
        switch storage {
        case .memory: directory = nil
        case .temporaryFiles(let path): directory = path
        case .automatic(let limit): directory = count * 4 > limit ? FileManager.default.temporaryDirectory.path : nil
        }
        guard let directory else {
            memory = [Float](repeating: 0, count: count)
            descriptor = -1
            return
        }
        memory = []
        let path = (directory as NSString).appendingPathComponent("tessera-tiled-vae-\(UUID().uuidString).f32")
        let fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0o600)
        guard fd >= 0 else {
            throw ModelError("tiled VAE storage", "cannot create a temporary activation file in \(directory): \(String(cString: strerror(errno)))")
        }
        // Unlinked at once: the file disappears with the descriptor, even if the process dies.
        unlink(path)
        guard ftruncate(fd, off_t(count * 4)) == 0 else {
            let reason = String(cString: strerror(errno))
            close(fd)
            throw ModelError("tiled VAE storage", "cannot size a \(count * 4)-byte activation file in \(directory): \(reason)")
        }
        descriptor = fd
    }

    /// A memory store holding `tensor` (no copy until written to).
    init(wrapping tensor: Tensor) {
        shape = tensor.shape
        memory = tensor.data
        descriptor = -1
    }

    deinit {
        if descriptor >= 0 { close(descriptor) }
    }

    /// The `rows × columns` window of every plane.
    func read(rows: Range<Int>, columns: Range<Int>) throws -> Tensor {
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3]
        var out = [Float](repeating: 0, count: planes * rows.count * columns.count)
        try out.withUnsafeMutableBufferPointer { dst in
            var d = 0
            for p in 0..<planes {
                for y in rows {
                    let offset = p * h * w + y * w + columns.lowerBound
                    try transfer(dst.baseAddress! + d, count: columns.count, offset: offset, write: false)
                    d += columns.count
                }
            }
        }
        return Tensor(shape: [shape[0], shape[1], rows.count, columns.count], data: out)
    }

    /// Writes all of `tile` `[N, C, h, w]` with its top-left corner at (`top`, `left`).
    func write(_ tile: Tensor, top: Int, left: Int) throws {
        let planes = shape[0] * shape[1], h = shape[2], w = shape[3]
        let th = tile.shape[2], tw = tile.shape[3]
        guard tile.shape[0] * tile.shape[1] == planes, top + th <= h, left + tw <= w else {
            throw ModelError("tiled VAE", "tile \(tile.shape) at (\(top), \(left)) does not fit the activation \(shape)")
        }
        // Read-only access: a mutable view would copy the caller's (still referenced) tile.
        try tile.data.withUnsafeBufferPointer { src in
            for p in 0..<planes {
                for y in 0..<th {
                    try transfer(UnsafeMutablePointer(mutating: src.baseAddress! + (p * th + y) * tw), count: tw,
                                 offset: p * h * w + (top + y) * w + left, write: true)
                }
            }
        }
    }

    private func transfer(_ pointer: UnsafeMutablePointer<Float>, count: Int, offset: Int, write: Bool) throws {
        if descriptor < 0 {
            memory.withUnsafeMutableBufferPointer { m in
                if write { (m.baseAddress! + offset).update(from: pointer, count: count) } else { pointer.update(from: m.baseAddress! + offset, count: count) }
            }
            return
        }
        var done = 0
        let bytes = count * 4
        while done < bytes {
            let raw = UnsafeMutableRawPointer(pointer) + done
            let position = off_t(offset * 4 + done)
            let n = write ? pwrite(descriptor, raw, bytes - done, position) : pread(descriptor, raw, bytes - done, position)
            if n < 0 && errno == EINTR { continue }
            guard n > 0 else {
                let reason = n < 0 ? String(cString: strerror(errno)) : "unexpected end of file"
                throw ModelError("tiled VAE storage", "\(write ? "writing" : "reading") a temporary activation file failed: \(reason)")
            }
            done += n
        }
    }
}
