/// Element-wise arithmetic between tensors of identical shape and with scalars.
extension Tensor {
    /// `self += other · scale`, in place (shapes must match).
    public mutating func add(_ other: Tensor, scale: Float = 1) {
        precondition(shape == other.shape, "add: shapes \(shape) and \(other.shape) differ")
        let n = count
        data.withUnsafeMutableBufferPointer { a in
            other.data.withUnsafeBufferPointer { b in
                Parallel.forRanges(n, parts: n < 65_536 ? 1 : Parallel.coreCount) { r in
                    if scale == 1 { for i in r { a[i] += b[i] } } else { for i in r { a[i] += b[i] * scale } }
                }
            }
        }
    }

    /// `self + other`.
    public static func + (lhs: Tensor, rhs: Tensor) -> Tensor {
        var result = lhs
        result.add(rhs)
        return result
    }

    /// Every element multiplied by `factor`.
    public static func * (lhs: Tensor, factor: Float) -> Tensor {
        var result = lhs
        result.scale(by: factor)
        return result
    }

    /// Multiplies every element by `factor`, in place.
    public mutating func scale(by factor: Float) {
        data.withUnsafeMutableBufferPointer { a in for i in 0..<a.count { a[i] *= factor } }
    }

    /// Adds `perChannel[n][c]` to every element of channel `c` of image `n` in an `[N, C, H, W]`
    /// tensor, in place (the ResNet block's time-embedding shift). `perChannel` is `[N, C]`.
    public mutating func addPerChannel(_ perChannel: Tensor) {
        precondition(rank == 4 && perChannel.shape == [shape[0], shape[1]],
                     "addPerChannel: \(perChannel.shape) does not match [N, C] of \(shape)")
        let plane = shape[2] * shape[3]
        data.withUnsafeMutableBufferPointer { a in
            perChannel.data.withUnsafeBufferPointer { p in
                Parallel.forEach(p.count, minimumChunk: 8) { i in
                    let v = p[i]
                    let base = a.baseAddress! + i * plane
                    for j in 0..<plane { base[j] += v }
                }
            }
        }
    }
}
