/// The tiny float32 systems UniPC solves for its coefficients (at most `order × order`),
/// with partial pivoting as LAPACK's `sgesv` / `sgetri` do.
enum SmallLinearAlgebra {
    /// Solves `a · x = b` (row-major square `a`).
    static func solve(_ a: [[Float]], _ b: [Float]) throws -> [Float] {
        let n = b.count
        var m = a, rhs = b
        guard m.count == n, m.allSatisfy({ $0.count == n }) else {
            throw SamplingError.mismatch("linear system of size \(m.count) with \(n) right-hand values")
        }
        for k in 0..<n {
            let pivotRow = (k..<n).max { abs(m[$0][k]) < abs(m[$1][k]) } ?? k
            guard m[pivotRow][k] != 0 else {
                throw SamplingError.invalidParameter(name: "UniPC coefficients", problem: "singular system (repeated timesteps?)")
            }
            if pivotRow != k {
                m.swapAt(pivotRow, k)
                rhs.swapAt(pivotRow, k)
            }
            let reciprocal = 1 / m[k][k]
            for i in (k + 1)..<n {
                let factor = m[i][k] * reciprocal
                for j in k..<n { m[i][j] -= factor * m[k][j] }
                rhs[i] -= factor * rhs[k]
            }
        }
        var x = [Float](repeating: 0, count: n)
        for i in stride(from: n - 1, through: 0, by: -1) {
            var sum = rhs[i]
            for j in (i + 1)..<n { sum -= m[i][j] * x[j] }
            x[i] = sum / m[i][i]
        }
        return x
    }

    /// The inverse of a square matrix, column by column.
    static func inverse(_ a: [[Float]]) throws -> [[Float]] {
        let n = a.count
        let columns = try (0..<n).map { c in try solve(a, (0..<n).map { $0 == c ? 1 : 0 }) }
        return (0..<n).map { r in (0..<n).map { c in columns[c][r] } }
    }
}
