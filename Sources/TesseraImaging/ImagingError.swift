/// Every failure reported by TesseraImaging. The description names the file or the
/// argument and the problem, e.g. `x00n0g01.png: not a PNG file: bad signature (...)`.
public enum ImagingError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The file could not be opened or created.
    case cannotOpen(path: String, reason: String)
    /// The file does not start with the PNG signature.
    case notPNG(path: String, reason: String)
    /// The data ended before the image did.
    case truncated(path: String, reason: String)
    /// libpng rejected the data: bad CRC, invalid header, broken compressed stream, missing chunk ...
    case corrupt(path: String, reason: String)
    /// The operating system reported a read or write error.
    case io(path: String, reason: String)
    /// The image is too large to decode into memory in one piece.
    case tooLarge(path: String, width: Int, height: Int)
    /// A caller passed an invalid value; `argument` names it.
    case invalidArgument(argument: String, problem: String)
    /// An API was used out of order (e.g. rows written after `finish`).
    case misuse(String)

    public var description: String {
        switch self {
        case let .cannotOpen(path, reason): return "\(path): \(reason)"
        case let .notPNG(path, reason): return "\(path): not a PNG file: \(reason)"
        case let .truncated(path, reason): return "\(path): truncated PNG: \(reason)"
        case let .corrupt(path, reason): return "\(path): corrupt PNG: \(reason)"
        case let .io(path, reason): return "\(path): I/O error: \(reason)"
        case let .tooLarge(path, width, height):
            return "\(path): image of \(width)×\(height) pixels is too large to decode in memory"
        case let .invalidArgument(argument, problem): return "invalid \(argument): \(problem)"
        case let .misuse(problem): return problem
        }
    }
}
