import TesseraImaging

/// A planar Float RGB image in [0, 1] (torchvision's `ToTensor` layout, 3×H×W), the working
/// format of the StableSR colour fixes.
public struct FloatRGBImage: Sendable, Equatable {
    public let width: Int
    public let height: Int
    /// Three planes (R, G, B), each `width * height` values, row-major.
    public var planes: [[Float]]

    public init(width: Int, height: Int, planes: [[Float]]) throws {
        guard planes.count == 3, planes.allSatisfy({ $0.count == width * height }) else {
            throw ImageOpsError.invalidParameter(name: "float image", problem: "expected 3 planes of \(width)x\(height) values")
        }
        self.width = width
        self.height = height
        self.planes = planes
    }

    /// `u8 / 255` per channel; alpha is dropped.
    public init(_ image: RGBAImage) {
        width = image.width
        height = image.height
        var planes = [[Float]](repeating: [Float](repeating: 0, count: image.width * image.height), count: 3)
        for pixel in 0..<(image.width * image.height) {
            for channel in 0..<3 { planes[channel][pixel] = Float(image.pixels[pixel * 4 + channel]) / 255 }
        }
        self.planes = planes
    }

    /// `clamp(x, 0, 1)`, then `uint8(255·x)` with truncation (torchvision's `to_pil_image`); opaque.
    public var rgba: RGBAImage {
        var image = RGBAImage(width: width, height: height)
        for pixel in 0..<(width * height) {
            for channel in 0..<3 {
                let value = min(max(planes[channel][pixel], 0), 1) * 255
                image.pixels[pixel * 4 + channel] = UInt8(value)
            }
        }
        return image
    }
}
