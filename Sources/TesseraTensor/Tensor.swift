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

    /// Number of elements.
    public var count: Int { data.count }

    /// Number of dimensions.
    public var rank: Int { shape.count }
}
