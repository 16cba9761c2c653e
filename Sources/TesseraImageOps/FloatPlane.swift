/// A single-channel Float image, the working format of OpenCV-style filters.
struct FloatPlane: Sendable, Equatable {
    let width: Int
    let height: Int
    var values: [Float]

    init(width: Int, height: Int, values: [Float]) {
        self.width = width
        self.height = height
        self.values = values
    }

    init(width: Int, height: Int, value: Float = 0) {
        self.init(width: width, height: height, values: [Float](repeating: value, count: width * height))
    }

    init(_ image: GreyImage) {
        self.init(width: image.width, height: image.height, values: image.pixels.map { Float($0) })
    }

    subscript(x: Int, y: Int) -> Float {
        get { values[y * width + x] }
        set { values[y * width + x] = newValue }
    }

    /// Rounded to the nearest integer (ties to even, like OpenCV's `saturate_cast`) and clamped to 0…255.
    var roundedToBytes: [UInt8] {
        values.map { UInt8(max(0, min(255, $0.rounded(.toNearestOrEven)))) }
    }
}
