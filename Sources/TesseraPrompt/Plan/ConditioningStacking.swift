/// A1111's `stack_conds`: encoded prompts of different token lengths (AND parts, or the prompts
/// of one batch at one step) are made the same length by repeating each one's **last token
/// vector**, not by adding empty chunks.
///
/// A cond/uncond pair of different lengths is not padded by default (`pad_cond_uncond` off):
/// A1111 then runs the UNet on them in separate calls.
public enum ConditioningStacking {
    /// Shapes handed to `padToLongest` that do not fit.
    public struct ShapeError: Error, Equatable, CustomStringConvertible {
        public var index: Int
        public var count: Int
        public var width: Int

        public var description: String {
            "conditioning \(index) holds \(count) values, not a whole number of \(width)-wide token vectors"
        }
    }

    /// Pads every `[tokens × width]` row-major tensor to the longest token count.
    public static func padToLongest(_ conditionings: [[Float]], width: Int) throws -> [[Float]] {
        for (index, c) in conditionings.enumerated() where width <= 0 || c.count % width != 0 || c.isEmpty {
            throw ShapeError(index: index, count: c.count, width: width)
        }
        let longest = conditionings.map(\.count).max() ?? 0
        return conditionings.map { c in
            var padded = c
            padded.reserveCapacity(longest)
            let last = c[(c.count - width)...]
            while padded.count < longest { padded.append(contentsOf: last) }
            return padded
        }
    }
}
