/// Every failure reported by TesseraImageOps. The description names the parameter and the problem,
/// e.g. `mask: 300x200 does not match the image 512x512`.
public enum ImageOpsError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Two images that must have the same size do not.
    case sizeMismatch(what: String, width: Int, height: Int, expectedWidth: Int, expectedHeight: Int)
    /// A parameter is outside its allowed range or otherwise invalid.
    case invalidParameter(name: String, problem: String)
    /// A preprocessor name that is not implemented.
    case unknownPreprocessor(name: String, known: [String])

    public var description: String {
        switch self {
        case let .sizeMismatch(what, width, height, expectedWidth, expectedHeight):
            return "\(what): \(width)x\(height) does not match the image \(expectedWidth)x\(expectedHeight)"
        case let .invalidParameter(name, problem):
            return "\(name): \(problem)"
        case let .unknownPreprocessor(name, known):
            return "unknown ControlNet preprocessor \"\(name)\"; known: \(known.joined(separator: ", "))"
        }
    }
}

extension ImageOpsError {
    static func requireSameSize(_ what: String, _ width: Int, _ height: Int, as expectedWidth: Int, _ expectedHeight: Int) throws {
        if width != expectedWidth || height != expectedHeight {
            throw ImageOpsError.sizeMismatch(what: what, width: width, height: height,
                                             expectedWidth: expectedWidth, expectedHeight: expectedHeight)
        }
    }
}
