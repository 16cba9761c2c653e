/// Separable 1-D convolution (correlation, as OpenCV's `sepFilter2D`) in Float.
enum SeparableFilter {
    static func horizontal(_ plane: FloatPlane, kernel: [Float], border: BorderMode) -> FloatPlane {
        let half = kernel.count / 2
        var out = FloatPlane(width: plane.width, height: plane.height)
        var columns = [[Int]]()
        columns.reserveCapacity(plane.width)
        for x in 0..<plane.width { columns.append((0..<kernel.count).map { border.resolve(x + $0 - half, count: plane.width) }) }
        for y in 0..<plane.height {
            let row = y * plane.width
            for x in 0..<plane.width {
                var sum: Float = 0
                let taps = columns[x]
                for k in 0..<kernel.count { sum += kernel[k] * plane.values[row + taps[k]] }
                out.values[row + x] = sum
            }
        }
        return out
    }

    static func vertical(_ plane: FloatPlane, kernel: [Float], border: BorderMode) -> FloatPlane {
        let half = kernel.count / 2
        var out = FloatPlane(width: plane.width, height: plane.height)
        for y in 0..<plane.height {
            let rows = (0..<kernel.count).map { border.resolve(y + $0 - half, count: plane.height) * plane.width }
            for x in 0..<plane.width {
                var sum: Float = 0
                for k in 0..<kernel.count { sum += kernel[k] * plane.values[rows[k] + x] }
                out.values[y * plane.width + x] = sum
            }
        }
        return out
    }
}
