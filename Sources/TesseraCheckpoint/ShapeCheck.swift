/// Compares a component's canonical shapes with the shapes its inferred configuration implies,
/// so a damaged or mismatched file fails on open with one precise message instead of deep inside
/// a model.
public enum ShapeCheck {
    /// Throws for the first class of problem found: missing tensors, then shape mismatches, then
    /// tensors the architecture does not have. Each message names the first few offenders.
    public static func require(_ actual: [String: [Int]], matches expected: [String: [Int]], component: String, path: String) throws {
        let missing = expected.keys.filter { actual[$0] == nil }.sorted()
        if !missing.isEmpty {
            throw CheckpointError(path: path, problem: "missing tensors in the \(component): \(NameList.firstFew(missing))")
        }
        let mismatched = expected.keys.filter { actual[$0] != expected[$0] }.sorted()
        if let first = mismatched.first {
            let more = mismatched.count > 1 ? " (and \(mismatched.count - 1) more)" : ""
            throw CheckpointError(path: path, problem: "shape mismatch in the \(component): '\(first)' is \(actual[first]!), expected \(expected[first]!)\(more)")
        }
        let extra = actual.keys.filter { expected[$0] == nil }.sorted()
        if !extra.isEmpty {
            throw CheckpointError(path: path, problem: "unexpected tensors in the \(component): \(NameList.firstFew(extra))")
        }
    }
}
