/// A premultiplied RGBa working buffer.
struct PremultipliedSource {
    var width: Int
    var height: Int
    var samples: [UInt8]
    /// Source column of sample column 0 (only meaningful before the horizontal pass).
    var originX: Int

    init(width: Int, height: Int, samples: [UInt8], originX: Int) {
        self.width = width
        self.height = height
        self.samples = samples
        self.originX = originX
    }

    /// Copies `columns`×`rows` of `image`, premultiplying colour by alpha like Pillow's RGBA→RGBa.
    init(image: RGBAImage, columns: Range<Int>, rows: Range<Int>) {
        let width = columns.count
        self.width = width
        height = rows.count
        originX = columns.lowerBound
        var samples = [UInt8](repeating: 0, count: width * rows.count * 4)
        image.pixels.withUnsafeBufferPointer { input in
            samples.withUnsafeMutableBufferPointer { output in
                for (rowIndex, row) in rows.enumerated() {
                    var from = (row * image.width + columns.lowerBound) * 4
                    var to = rowIndex * width * 4
                    for _ in 0..<width {
                        let alpha = UInt32(input[from + 3])
                        if alpha == 255 {
                            output[to] = input[from]
                            output[to + 1] = input[from + 1]
                            output[to + 2] = input[from + 2]
                        } else {
                            output[to] = PremultipliedSource.multiplyDivide255(input[from], alpha)
                            output[to + 1] = PremultipliedSource.multiplyDivide255(input[from + 1], alpha)
                            output[to + 2] = PremultipliedSource.multiplyDivide255(input[from + 2], alpha)
                        }
                        output[to + 3] = UInt8(alpha)
                        from += 4
                        to += 4
                    }
                }
            }
        }
        self.samples = samples
    }

    /// Pillow's MULDIV255: a rounded a·b/255 without division.
    @inline(__always)
    static func multiplyDivide255(_ value: UInt8, _ alpha: UInt32) -> UInt8 {
        let product = UInt32(value) * alpha + 128
        return UInt8(((product >> 8) + product) >> 8)
    }

    @inline(__always)
    static func clip8(_ accumulator: Int) -> UInt8 {
        let shifted = accumulator >> ResampleKernel.precisionBits
        if shifted <= 0 { return 0 }
        if shifted >= 255 { return 255 }
        return UInt8(shifted)
    }

    func horizontalPass(_ kernel: ResampleKernel) -> PremultipliedSource {
        let outWidth = kernel.first.count
        var out = [UInt8](repeating: 0, count: outWidth * height * 4)
        let half = 1 << (ResampleKernel.precisionBits - 1)
        samples.withUnsafeBufferPointer { input in
            kernel.weights.withUnsafeBufferPointer { weights in
                out.withUnsafeMutableBufferPointer { output in
                    for row in 0..<height {
                        let rowStart = row * width * 4
                        for column in 0..<outWidth {
                            let first = kernel.first[column] - originX
                            let taps = kernel.count[column]
                            let weightBase = column * kernel.ksize
                            var s0 = half, s1 = half, s2 = half, s3 = half
                            var index = rowStart + first * 4
                            for tap in 0..<taps {
                                let w = Int(weights[weightBase + tap])
                                s0 += Int(input[index]) * w
                                s1 += Int(input[index + 1]) * w
                                s2 += Int(input[index + 2]) * w
                                s3 += Int(input[index + 3]) * w
                                index += 4
                            }
                            let to = (row * outWidth + column) * 4
                            output[to] = PremultipliedSource.clip8(s0)
                            output[to + 1] = PremultipliedSource.clip8(s1)
                            output[to + 2] = PremultipliedSource.clip8(s2)
                            output[to + 3] = PremultipliedSource.clip8(s3)
                        }
                    }
                }
            }
        }
        return PremultipliedSource(width: outWidth, height: height, samples: out, originX: 0)
    }

    /// `firstRow` is the source row held in buffer row 0.
    func verticalPass(_ kernel: ResampleKernel, firstRow: Int) -> PremultipliedSource {
        let outHeight = kernel.first.count
        var out = [UInt8](repeating: 0, count: width * outHeight * 4)
        let half = 1 << (ResampleKernel.precisionBits - 1)
        let rowSamples = width * 4
        samples.withUnsafeBufferPointer { input in
            kernel.weights.withUnsafeBufferPointer { weights in
                out.withUnsafeMutableBufferPointer { output in
                    var accumulators = [Int](repeating: 0, count: rowSamples)
                    for row in 0..<outHeight {
                        let first = kernel.first[row] - firstRow
                        let taps = kernel.count[row]
                        let weightBase = row * kernel.ksize
                        for index in 0..<rowSamples { accumulators[index] = half }
                        for tap in 0..<taps {
                            let w = Int(weights[weightBase + tap])
                            let base = (first + tap) * rowSamples
                            for index in 0..<rowSamples {
                                accumulators[index] += Int(input[base + index]) * w
                            }
                        }
                        let outBase = row * rowSamples
                        for index in 0..<rowSamples {
                            output[outBase + index] = PremultipliedSource.clip8(accumulators[index])
                        }
                    }
                }
            }
        }
        return PremultipliedSource(width: width, height: outHeight, samples: out, originX: originX)
    }

    /// Back to straight alpha like Pillow's RGBa→RGBA: 255·c/alpha, truncated and clipped.
    func unpremultiplied() -> RGBAImage {
        var out = samples
        out.withUnsafeMutableBufferPointer { pixels in
            var index = 0
            while index < pixels.count {
                let alpha = Int(pixels[index + 3])
                if alpha != 255 && alpha != 0 {
                    for channel in 0..<3 {
                        pixels[index + channel] = UInt8(min(255, (255 * Int(pixels[index + channel])) / alpha))
                    }
                }
                index += 4
            }
        }
        return RGBAImage(uncheckedWidth: width, height: height, pixels: out)
    }
}
