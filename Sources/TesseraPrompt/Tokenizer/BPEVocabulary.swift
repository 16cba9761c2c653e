import Foundation

/// CLIP's byte-level BPE tables: token ↔ id, and merge ranks keyed by pairs of token ids.
///
/// Every merge result of CLIP's `merges.txt` is itself a vocabulary entry, so BPE can run on
/// integer ids instead of strings; that is what makes long prompts cheap.
struct BPEVocabulary: Sendable {
    /// CLIP keeps `49152 - 256 - 2` merges after the version line.
    static let mergeCount = 49152 - 256 - 2

    let idsByToken: [String: Int]
    let tokensByID: [String]
    /// Id of the single-byte token for each byte, and of the same byte ending a word (`</w>`).
    private let byteIDs: [Int32]
    private let wordEndByteIDs: [Int32]
    /// `(left << 32 | right)` → rank (priority) and the merged token's id.
    private let merges: [UInt64: Merge]

    private struct Merge: Sendable {
        let rank: Int32
        let result: Int32
    }

    init(vocabularyData: Data, vocabularyName: String, mergesText: String, mergesName: String) throws {
        guard let object = try? JSONSerialization.jsonObject(with: vocabularyData),
              let dictionary = object as? [String: Any] else {
            throw TokenizerError.malformed(file: vocabularyName, reason: "expected a JSON object of token → id")
        }
        var idsByToken: [String: Int] = [:]
        idsByToken.reserveCapacity(dictionary.count)
        var maxID = -1
        for (token, value) in dictionary {
            guard let number = value as? NSNumber, let id = Int(exactly: number.doubleValue), id >= 0 else {
                throw TokenizerError.malformed(file: vocabularyName, reason: "token \(token.debugDescription) has a non-integer id")
            }
            idsByToken[token] = id
            maxID = max(maxID, id)
        }
        var tokensByID = [String](repeating: "", count: maxID + 1)
        for (token, id) in idsByToken { tokensByID[id] = token }

        var byteIDs: [Int32] = []
        var wordEndByteIDs: [Int32] = []
        for byte in 0...255 {
            let symbol = ByteLevelAlphabet.string(forByte: UInt8(byte))
            guard let plain = idsByToken[symbol], let wordEnd = idsByToken[symbol + "</w>"] else {
                throw TokenizerError.malformed(file: vocabularyName, reason: "byte \(byte) (\(symbol)) or its </w> form is missing")
            }
            byteIDs.append(Int32(plain))
            wordEndByteIDs.append(Int32(wordEnd))
        }

        var lines = mergesText.split(separator: "\n", omittingEmptySubsequences: false)
        guard let header = lines.first, header.hasPrefix("#version") else {
            throw TokenizerError.malformed(file: mergesName, reason: "first line should be a '#version' header")
        }
        lines.removeFirst()
        while let last = lines.last, last.isEmpty { lines.removeLast() }
        guard lines.count >= Self.mergeCount else {
            throw TokenizerError.malformed(file: mergesName, reason: "has \(lines.count) merges, CLIP needs \(Self.mergeCount)")
        }
        var merges: [UInt64: Merge] = [:]
        merges.reserveCapacity(Self.mergeCount)
        for (rank, line) in lines.prefix(Self.mergeCount).enumerated() {
            let parts = line.split(separator: " ")
            guard parts.count == 2 else {
                throw TokenizerError.malformed(file: mergesName, reason: "line \(rank + 2) is not two tokens separated by a space")
            }
            let left = String(parts[0]), right = String(parts[1])
            guard let l = idsByToken[left], let r = idsByToken[right], let m = idsByToken[left + right] else {
                throw TokenizerError.malformed(file: mergesName, reason: "line \(rank + 2) ('\(line)') uses tokens missing from \(vocabularyName)")
            }
            let key = UInt64(l) << 32 | UInt64(r)
            if merges[key] == nil { merges[key] = Merge(rank: Int32(rank), result: Int32(m)) }
        }
        self.idsByToken = idsByToken
        self.tokensByID = tokensByID
        self.byteIDs = byteIDs
        self.wordEndByteIDs = wordEndByteIDs
        self.merges = merges
    }

    /// BPE of one pre-tokenized piece, given as its UTF-8 bytes; the last symbol carries `</w>`.
    func encodeWord<Bytes: Collection>(_ bytes: Bytes) -> [Int] where Bytes.Element == UInt8 {
        guard !bytes.isEmpty else { return [] }
        var symbols: [Int32] = []
        symbols.reserveCapacity(bytes.count)
        for byte in bytes { symbols.append(byteIDs[Int(byte)]) }
        symbols[symbols.count - 1] = wordEndByteIDs[Int(bytes[bytes.index(bytes.endIndex, offsetBy: -1)])]

        while symbols.count > 1 {
            // The lowest-ranked adjacent pair is merged everywhere it occurs, left to right.
            var best: (left: Int32, right: Int32, merge: Merge)?
            for k in 0..<(symbols.count - 1) {
                let key = UInt64(UInt32(symbols[k])) << 32 | UInt64(UInt32(symbols[k + 1]))
                if let merge = merges[key], merge.rank < (best?.merge.rank ?? .max) {
                    best = (symbols[k], symbols[k + 1], merge)
                }
            }
            guard let chosen = best else { break }
            var merged: [Int32] = []
            merged.reserveCapacity(symbols.count)
            var k = 0
            while k < symbols.count {
                if k + 1 < symbols.count, symbols[k] == chosen.left, symbols[k + 1] == chosen.right {
                    merged.append(chosen.merge.result)
                    k += 2
                } else {
                    merged.append(symbols[k])
                    k += 1
                }
            }
            symbols = merged
        }
        return symbols.map(Int.init)
    }
}
