import TesseraTensor

/// Element type and shape of one stored tensor, known from a file's header without reading data.
public struct TensorInfo: Sendable, Equatable {
    /// Element type as stored.
    public var dtype: TensorDType
    /// Extent of each dimension, outermost first (empty for a 0-dim scalar).
    public var shape: [Int]

    public init(dtype: TensorDType, shape: [Int]) {
        self.dtype = dtype
        self.shape = shape
    }

    /// Number of elements.
    public var count: Int { shape.reduce(1, *) }
}

/// A file (or set of files) of named tensors under their stored names, whatever the container
/// format (safetensors, sharded safetensors, torch zip checkpoint).
///
/// Headers are read on open; tensor data is read only when asked for, so detection and
/// `model info` never touch the weights.
public protocol TensorArchive: WeightSource {
    /// Stored tensor names with their dtype and shape.
    var tensorInfos: [String: TensorInfo] { get }
}

extension TensorArchive {
    /// Stored name → shape, the metadata every key mapping works from.
    public var shapes: [String: [Int]] { tensorInfos.mapValues(\.shape) }

    /// The stored shape, from the header.
    public func shape(_ name: String) -> [Int]? { tensorInfos[name]?.shape }
}

extension SafeTensorsFile: TensorArchive {}
