/// Element-wise activation functions, all spread over the cores.
public enum Activation: Sendable, Equatable {
    /// `x · sigmoid(x)`.
    case silu
    /// Exact (erf) GELU.
    case gelu
    /// `x · sigmoid(1.702 x)` (CLIP).
    case quickGelu
    /// `max(x, slope · x)`.
    case leakyReLU(slope: Float)

    /// Applies the activation to `count` floats at `p`, in place, using every core.
    public func apply(_ p: UnsafeMutablePointer<Float>, count: Int) {
        let chunk = 16_384
        let chunks = (count + chunk - 1) / chunk
        Parallel.forEach(chunks) { c in
            let start = c * chunk
            let n = min(chunk, count - start)
            switch self {
            case .silu: VectorMath.silu(p + start, count: n)
            case .gelu: VectorMath.gelu(p + start, count: n)
            case .quickGelu: VectorMath.quickGelu(p + start, count: n)
            case .leakyReLU(let slope): VectorMath.leakyReLU(p + start, count: n, slope: slope)
            }
        }
    }
}

extension Tensor {
    /// This tensor with `activation` applied element-wise.
    public func applying(_ activation: Activation) -> Tensor {
        var copy = self
        copy.apply(activation)
        return copy
    }

    /// Applies `activation` element-wise in place.
    public mutating func apply(_ activation: Activation) {
        let n = count
        data.withUnsafeMutableBufferPointer { activation.apply($0.baseAddress!, count: n) }
    }
}

/// GEGLU (diffusers `GEGLU` after its projection): splits the last dimension of `projected`
/// `[..., 2·d]` into `hidden` and `gate` halves and returns `hidden · gelu(gate)` `[..., d]`.
public func geglu(_ projected: Tensor) -> Tensor {
    let width = projected.shape.last!
    precondition(width % 2 == 0, "GEGLU input width \(width) is odd")
    let d = width / 2
    let rows = projected.count / width
    var shape = projected.shape
    shape[shape.count - 1] = d
    return Tensor(shape: shape) { out in
        projected.data.withUnsafeBufferPointer { src in
            Parallel.forEach(rows, minimumChunk: 16) { r in
                let dst = out.baseAddress! + r * d
                dst.update(from: src.baseAddress! + r * width + d, count: d)
                VectorMath.gelu(dst, count: d)
                let hidden = src.baseAddress! + r * width
                for j in 0..<d { dst[j] *= hidden[j] }
            }
        }
    }
}
