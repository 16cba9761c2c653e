/// A dense Float32 tensor in row-major (NCHW for images) layout.
///
/// Value semantics through the backing `[Float]`: copying a `Tensor` is cheap until one copy is
/// mutated. Every model, sampler and pipeline in Tessera exchanges data as `Tensor`.
public struct Tensor: Sendable, Equatable {
    /// Extent of each dimension, outermost first.
    public var shape: [Int]
    /// Elements in row-major order; `data.count == shape.reduce(1, *)`.
    public var data: [Float]

    /// A tensor of the given shape holding `data`. The element count must match the shape.
    public init(shape: [Int], data: [Float]) {
        precondition(shape.allSatisfy { $0 >= 0 }, "negative dimension in \(shape)")
        precondition(data.count == shape.reduce(1, *), "\(data.count) elements do not fill shape \(shape)")
        self.shape = shape
        self.data = data
    }

    /// A tensor of the given shape with every element equal to `value`.
    public init(shape: [Int], repeating value: Float = 0) {
        self.init(shape: shape, data: [Float](repeating: value, count: shape.reduce(1, *)))
    }

    /// A tensor whose elements are written by `fill` into uninitialised storage.
    ///
    /// Skips the zero-fill of `init(shape:repeating:)`; `fill` must write every element.
    public init(shape: [Int], uninitialized fill: (UnsafeMutableBufferPointer<Float>) -> Void) {
        let count = shape.reduce(1, *)
        let data = [Float](unsafeUninitializedCapacity: count) { buffer, initialized in
            fill(buffer)
            initialized = count
        }
        self.init(shape: shape, data: data)
    }

    /// Number of elements.
    public var count: Int { data.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }

    /// The same elements under another shape with the same element count.
    public func reshaped(_ newShape: [Int]) -> Tensor {
        Tensor(shape: newShape, data: data)
    }

    /// The `index`-th slice along the first dimension (e.g. one image of a batch), rank reduced by one.
    public func slice(_ index: Int) -> Tensor {
        precondition(rank >= 1 && index >= 0 && index < shape[0], "slice \(index) outside \(shape)")
        let inner = Array(shape.dropFirst())
        let size = inner.reduce(1, *)
        return Tensor(shape: inner, data: Array(data[(index * size)..<((index + 1) * size)]))
    }

    /// Slices `range` along the first dimension, keeping the rank.
    public func slice(_ range: Range<Int>) -> Tensor {
        precondition(rank >= 1 && range.lowerBound >= 0 && range.upperBound <= shape[0], "slice \(range) outside \(shape)")
        let size = shape.dropFirst().reduce(1, *)
        var newShape = shape
        newShape[0] = range.count
        return Tensor(shape: newShape, data: Array(data[(range.lowerBound * size)..<(range.upperBound * size)]))
    }

    /// Stacks tensors of identical shape along a new (or the existing first) dimension:
    /// tensors of shape `[1, ...]` or `[...]` become `[n, ...]`.
    public static func stack(_ parts: [Tensor]) -> Tensor {
        precondition(!parts.isEmpty, "stack of no tensors")
        let first = parts[0].shape
        precondition(parts.allSatisfy { $0.shape == first }, "stack of differently shaped tensors")
        var data = [Float]()
        data.reserveCapacity(parts.count * parts[0].count)
        for part in parts { data.append(contentsOf: part.data) }
        let shape = first.first == 1 ? [parts.count] + first.dropFirst() : [parts.count] + first
        return Tensor(shape: shape, data: data)
    }
}
