import Foundation
import TesseraTensor

/// Straightforward (slow, obviously correct) versions of the ops, to check the fast ones against.
enum Naive {
    static func conv2d(_ x: Tensor, _ w: Tensor, _ b: Tensor?, stride: Int, pad: Padding2D) -> Tensor {
        let (n, c, h, wd) = (x.shape[0], x.shape[1], x.shape[2], x.shape[3])
        let (o, kh, kw) = (w.shape[0], w.shape[2], w.shape[3])
        let ho = (h + pad.top + pad.bottom - kh) / stride + 1, wo = (wd + pad.left + pad.right - kw) / stride + 1
        var out = Tensor(shape: [n, o, ho, wo])
        for b0 in 0..<n { for oc in 0..<o { for y in 0..<ho { for xx in 0..<wo {
            var s = Double(b?.data[oc] ?? 0)
            for ic in 0..<c { for i in 0..<kh { for j in 0..<kw {
                let iy = y * stride - pad.top + i, ix = xx * stride - pad.left + j
                if iy < 0 || iy >= h || ix < 0 || ix >= wd { continue }
                s += Double(x.data[((b0 * c + ic) * h + iy) * wd + ix]) * Double(w.data[((oc * c + ic) * kh + i) * kw + j])
            } } }
            out.data[((b0 * o + oc) * ho + y) * wo + xx] = Float(s)
        } } } }
        return out
    }

    static func attention(_ q: Tensor, _ k: Tensor, _ v: Tensor, heads: Int, causal: Bool) -> Tensor {
        let (b, tq, width) = (q.shape[0], q.shape[1], q.shape[2])
        let tk = k.shape[1], d = width / heads
        var out = Tensor(shape: [b, tq, width])
        for n in 0..<b { for h in 0..<heads { for i in 0..<tq {
            var scores = [Double](repeating: -.infinity, count: tk)
            for j in 0..<tk where !(causal && j > i) {
                var s = 0.0
                for e in 0..<d { s += Double(q.data[(n * tq + i) * width + h * d + e]) * Double(k.data[(n * tk + j) * width + h * d + e]) }
                scores[j] = s / Double(d).squareRoot()
            }
            let m = scores.max()!
            let ex = scores.map { $0 == -.infinity ? 0 : Foundation.exp($0 - m) }
            let sum = ex.reduce(0, +)
            for e in 0..<d {
                var acc = 0.0
                for j in 0..<tk { acc += ex[j] * Double(v.data[(n * tk + j) * width + h * d + e]) }
                out.data[(n * tq + i) * width + h * d + e] = Float(acc / sum)
            }
        } } }
        return out
    }

    static func random(_ shape: [Int], seed: UInt64, scale: Float = 1) -> Tensor {
        var state = seed
        let count = shape.reduce(1, *)
        var data = [Float](repeating: 0, count: count)
        for i in 0..<count {
            state = state &* 6364136223846793005 &+ 1442695040888963407
            data[i] = (Float(state >> 40) / Float(1 << 24) * 2 - 1) * scale
        }
        return Tensor(shape: shape, data: data)
    }
}

func maxRelativeError(_ a: Tensor, _ b: Tensor) -> Float {
    precondition(a.shape == b.shape, "\(a.shape) vs \(b.shape)")
    var diff: Float = 0, ref: Float = 0
    for i in 0..<a.count { diff = max(diff, abs(a.data[i] - b.data[i])); ref = max(ref, abs(b.data[i])) }
    return ref == 0 ? diff : diff / ref
}
