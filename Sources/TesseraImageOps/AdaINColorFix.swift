import TesseraImaging

/// StableSR's AdaIN colour fix: each channel of the target is renormalised to the reference's
/// mean and standard deviation (`std = sqrt(unbiased variance + 1e-5)`).
public enum AdaINColorFix {
    public static func apply(target: RGBAImage, reference: RGBAImage) throws -> RGBAImage {
        try apply(target: FloatRGBImage(target), reference: FloatRGBImage(reference)).rgba
    }

    public static func apply(target: FloatRGBImage, reference: FloatRGBImage) throws -> FloatRGBImage {
        guard target.width * target.height >= 2, reference.width * reference.height >= 2 else {
            throw ImageOpsError.invalidParameter(name: "AdaIN colour fix", problem: "images need at least 2 pixels")
        }
        var out = target
        for channel in 0..<3 {
            let (targetMean, targetStd) = statistics(target.planes[channel])
            let (referenceMean, referenceStd) = statistics(reference.planes[channel])
            out.planes[channel] = target.planes[channel].map { value in
                Float((Double(value) - targetMean) / targetStd * referenceStd + referenceMean)
            }
        }
        return out
    }

    /// (mean, sqrt(unbiased variance + 1e-5)).
    public static func statistics(_ values: [Float]) -> (mean: Double, std: Double) {
        let count = Double(values.count)
        let mean = values.reduce(0.0) { $0 + Double($1) } / count
        let variance = values.reduce(0.0) { $0 + (Double($1) - mean) * (Double($1) - mean) } / (count - 1)
        return (mean, (variance + 1e-5).squareRoot())
    }
}
