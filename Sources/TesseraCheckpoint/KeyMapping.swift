/// How the tensors of one model component, stored under one file layout, are presented under
/// the canonical (diffusers / transformers / BasicSR) names.
///
/// A mapping is computed from names and shapes only, so it can be built (and checked) from a
/// header or a key manifest without reading any weights.
public struct KeyMapping: Sendable, Equatable {
    /// What to do to a stored tensor to get the canonical one.
    public enum Transform: Sendable, Equatable {
        /// Use as stored.
        case identity
        /// Drop trailing 1-sized dimensions of a 1×1 convolution weight ([O, I, 1, 1] → [O, I]):
        /// the LDM VAE attention stores its q/k/v/proj_out as 1×1 convs where diffusers uses linears.
        case squeezeConv1x1

        /// The canonical shape of a tensor stored with `shape`.
        public func apply(to shape: [Int]) -> [Int] {
            switch self {
            case .identity: return shape
            case .squeezeConv1x1:
                guard shape.count == 4, shape[2] == 1, shape[3] == 1 else { return shape }
                return [shape[0], shape[1]]
            }
        }
    }

    /// Where a canonical tensor comes from.
    public struct Source: Sendable, Equatable {
        /// Stored name.
        public var name: String
        /// Transformation applied after decoding.
        public var transform: Transform

        public init(name: String, transform: Transform = .identity) {
            self.name = name
            self.transform = transform
        }
    }

    /// Canonical name → stored source.
    public var sources: [String: Source]
    /// Canonical name → canonical shape.
    public var shapes: [String: [Int]]

    public init() {
        sources = [:]
        shapes = [:]
    }

    /// Records that canonical `name` is stored as `stored` (shape `storedShape`).
    mutating func add(_ name: String, from stored: String, shape storedShape: [Int], transform: Transform = .identity) {
        sources[name] = Source(name: stored, transform: transform)
        shapes[name] = transform.apply(to: storedShape)
    }

    /// Canonical names, sorted.
    public var names: [String] { sources.keys.sorted() }
}

/// Stored names a layout sorts into "used by a component", "deliberately ignored" and "unknown".
public struct KeyPartition: Sendable, Equatable {
    /// Names that are not weights of any component (DDPM schedule buffers, `position_ids`,
    /// EMA copies, training state); loaders skip them on purpose.
    public var ignored: [String] = []
    /// Names under a component's prefix that the layout could not place: a sign the file is a
    /// different architecture or is damaged.
    public var unplaced: [String] = []
}
