/// The image operations A1111 performs to pre-upscale a source with an ESRGAN-family model for
/// Ultimate SD Upscale (spec §6.2 step 4 and §9.1): the USDU factor list, for each factor the
/// upscaler driver (the model run until the factor's size is reached, then a Lanczos snap to a
/// multiple of 8), and a final Lanczos resize to the exact target size.
///
/// It depends only on the sizes and the model's native scale, so every worker derives the same
/// chain for a job without exchanging it.
public struct ESRGANUpscaleChain: Sendable, Equatable {
    /// One image operation and the sizes it maps between.
    public enum Step: Sendable, Equatable {
        /// One pass of the model: `to` is `from` times the model scale.
        case model(from: ImageSize, to: ImageSize)
        /// A Pillow Lanczos resize.
        case lanczos(from: ImageSize, to: ImageSize)

        public var input: ImageSize {
            switch self { case .model(let from, _), .lanczos(let from, _): from }
        }

        public var output: ImageSize {
            switch self { case .model(_, let to), .lanczos(_, let to): to }
        }
    }

    /// A width and height in pixels.
    public struct ImageSize: Sendable, Equatable, CustomStringConvertible {
        public var width: Int
        public var height: Int

        public init(_ width: Int, _ height: Int) {
            self.width = width
            self.height = height
        }

        public var description: String { "\(width)×\(height)" }
    }

    /// The USDU factors the upscaler is called with, in order.
    public let factors: [Int]
    /// The operations, first to last.
    public let steps: [Step]

    /// The chain from a `source` image to `target` with a model of native scale `modelScale`.
    public init(source: ImageSize, target: ImageSize, modelScale: Int) throws {
        guard source.width > 0, source.height > 0, target.width > 0, target.height > 0 else {
            throw ClusterError.invalidParameter(field: "scale", reason: "cannot pre-upscale \(source) to \(target)")
        }
        guard modelScale >= 1 else {
            throw ClusterError.invalidParameter(field: "upscaler", reason: "model scale \(modelScale) is not a positive integer")
        }
        // USDU: scale_factor = ceil(max(target) / max(source)).
        let longestTarget = max(target.width, target.height), longestSource = max(source.width, source.height)
        factors = Self.factors(forScale: (longestTarget + longestSource - 1) / longestSource)
        var steps: [Step] = []
        var size = source
        for factor in factors {
            // A1111 `Upscaler.upscale`: the destination is floored to a multiple of 8.
            let destination = ImageSize(size.width * factor / 8 * 8, size.height * factor / 8 * 8)
            for pass in 0..<3 {
                if size.width >= destination.width && size.height >= destination.height && (pass > 0 || factor != 1) { break }
                let next = ImageSize(size.width * modelScale, size.height * modelScale)
                if next == size { break }
                steps.append(.model(from: size, to: next))
                size = next
            }
            if size != destination {
                guard destination.width > 0, destination.height > 0 else {
                    throw ClusterError.invalidParameter(field: "scale", reason: "source \(source) is too small for the upscaler's multiple-of-8 sizes")
                }
                steps.append(.lanczos(from: size, to: destination))
                size = destination
            }
        }
        if size != target { steps.append(.lanczos(from: size, to: target)) }
        self.steps = steps
    }

    /// USDU's factor list for an integer `scale` (spec §6.2 step 4): 2 → [2], 3 → [3], 4 → [4],
    /// 5 and 6 → [3, 2], 8 → [4, 2], 1 → [2].
    public static func factors(forScale scale: Int) -> [Int] {
        func factor(_ n: Int) -> Int {
            if n == 1 { return 2 }
            if n % 4 == 0 { return 4 }
            if n % 3 == 0 { return 3 }
            if n % 2 == 0 { return 2 }
            return 0
        }
        var scale = max(1, scale)
        while factor(scale) == 0 { scale += 1 }
        if scale == 1 { return [2] }
        var list: [Int] = [], current = 1
        while current < scale {
            let f = factor(scale / current)
            if f == 0 { break }
            list.append(f)
            current *= f
        }
        return list
    }
}
