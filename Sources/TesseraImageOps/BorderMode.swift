/// How filters read outside the image, with OpenCV's names.
enum BorderMode: Sendable {
    /// `gfedcb|abcdefgh|gfedcba` (OpenCV's default, BORDER_REFLECT_101).
    case reflect101
    /// `aaaaaa|abcdefgh|hhhhhhh` (BORDER_REPLICATE).
    case replicate

    /// The in-range index that stands for `index` on a line of `count` samples.
    func resolve(_ index: Int, count: Int) -> Int {
        if index >= 0 && index < count { return index }
        switch self {
        case .replicate:
            return min(max(index, 0), count - 1)
        case .reflect101:
            if count == 1 { return 0 }
            var p = index
            repeat {
                p = p < 0 ? -p : 2 * (count - 1) - p
            } while p < 0 || p >= count
            return p
        }
    }
}
