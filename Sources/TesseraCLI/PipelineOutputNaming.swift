import Foundation

/// File names of generated images. One image goes to `-o` (default `<command>-<seed>.png`);
/// several get A1111's `[number]-[seed]` pattern after the `-o` stem (or the command name):
/// `out-00000-42.png`, `out-00001-43.png`, …
enum OutputNaming {
    static func path(for index: Int, of count: Int, seed: Int, output: String?, label: String) -> String {
        if count == 1 { return output ?? "\(label)-\(seed).png" }
        let stem: String
        if let output {
            let url = URL(fileURLWithPath: output)
            stem = url.pathExtension.lowercased() == "png" ? String(output.dropLast(4)) : output
        } else {
            stem = label
        }
        let number = String(index)
        return "\(stem)-\(String(repeating: "0", count: max(0, 5 - number.count)))\(number)-\(seed).png"
    }
}
