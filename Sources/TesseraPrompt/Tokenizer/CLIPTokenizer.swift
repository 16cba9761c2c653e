import Foundation

/// OpenAI CLIP's byte-level BPE tokenizer (SD 1.5's text tokenizer), matching transformers'
/// `CLIPTokenizer` as A1111 runs it (with ftfy's clean-up, see `CLIPTextCleaner`).
///
/// Thread-safe: the only mutable state is a word cache behind a lock.
public final class CLIPTokenizer: @unchecked Sendable {
    /// `<|startoftext|>` in the bundled vocabulary.
    public static let bundledStartID = 49406
    /// `<|endoftext|>` in the bundled vocabulary; SD 1.5 also pads with it.
    public static let bundledEndID = 49407

    /// Id of `<|startoftext|>` (BOS).
    public let startID: Int
    /// Id of `<|endoftext|>` (EOS; also unknown token).
    public let endID: Int
    /// Padding id; for SD 1.5 the same as `endID`.
    public let padID: Int
    /// Id of `,</w>`, the token A1111's comma back-tracking looks for.
    public let commaID: Int
    /// Number of entries in the vocabulary (49408 for CLIP).
    public var vocabularySize: Int { vocabulary.tokensByID.count }

    private let vocabulary: BPEVocabulary
    private let cacheLock = NSLock()
    private var cache: [String: [Int]] = [:]
    /// A worker tokenizes prompts for days; bound the cache instead of letting it grow forever.
    private let cacheLimit = 65_536

    /// Loads `vocab.json` and `merges.txt` from the given files.
    public init(vocabularyFile: URL, mergesFile: URL) throws {
        let vocabularyData: Data
        let mergesText: String
        do {
            vocabularyData = try Data(contentsOf: vocabularyFile)
        } catch {
            throw TokenizerError.unreadable(file: vocabularyFile.path, reason: error.localizedDescription)
        }
        do {
            mergesText = try String(contentsOf: mergesFile, encoding: .utf8)
        } catch {
            throw TokenizerError.unreadable(file: mergesFile.path, reason: error.localizedDescription)
        }
        let vocabulary = try BPEVocabulary(vocabularyData: vocabularyData, vocabularyName: vocabularyFile.path,
                                           mergesText: mergesText, mergesName: mergesFile.path)
        func required(_ token: String) throws -> Int {
            guard let id = vocabulary.idsByToken[token] else {
                throw TokenizerError.malformed(file: vocabularyFile.path, reason: "token \(token) is missing")
            }
            return id
        }
        self.vocabulary = vocabulary
        startID = try required("<|startoftext|>")
        endID = try required("<|endoftext|>")
        padID = endID
        commaID = try required(",</w>")
    }

    /// Loads `vocab.json` and `merges.txt` from one directory.
    public convenience init(directory: URL) throws {
        try self.init(vocabularyFile: directory.appendingPathComponent("vocab.json"),
                      mergesFile: directory.appendingPathComponent("merges.txt"))
    }

    private static let bundledResult: Result<CLIPTokenizer, Error> = Result {
        guard let directory = Bundle.module.url(forResource: "tokenizer", withExtension: nil) else {
            throw TokenizerError.unreadable(file: "TesseraPrompt resources/tokenizer", reason: "not found in the module bundle")
        }
        return try CLIPTokenizer(directory: directory)
    }

    /// The tokenizer shipped with Tessera (OpenAI CLIP ViT-L/14, as used by SD 1.5), loaded once.
    public static func bundled() throws -> CLIPTokenizer { try bundledResult.get() }

    /// Token ids of `text` without BOS/EOS (transformers `add_special_tokens=False`).
    ///
    /// `<|startoftext|>` and `<|endoftext|>` written literally in the text become their special
    /// ids, as transformers splits added tokens out before anything else.
    public func encode(_ text: String) -> [Int] {
        var ids: [Int] = []
        var rest = Substring(text)
        while let (range, id) = firstSpecialToken(in: rest) {
            encodeOrdinary(String(rest[rest.startIndex..<range.lowerBound]), into: &ids)
            ids.append(id)
            rest = rest[range.upperBound...]
        }
        encodeOrdinary(String(rest), into: &ids)
        return ids
    }

    /// `[BOS] + ids + [EOS]` truncated and padded to `length`, as diffusers'
    /// `tokenizer(text, padding="max_length", max_length=77, truncation=True)`.
    public func encodePadded(_ text: String, length: Int = 77) -> [Int] {
        precondition(length >= 2, "a padded sequence needs room for BOS and EOS")
        let body = encode(text).prefix(length - 2)
        var ids = [startID] + body + [endID]
        ids.append(contentsOf: repeatElement(padID, count: length - ids.count))
        return ids
    }

    /// Text of `ids` as CLIP reads it back: byte-level symbols mapped to bytes, `</w>` ends a
    /// word. Special and out-of-range ids are skipped. Lower-cased and space-normalised, so it
    /// shows what the model sees rather than the original prompt.
    public func decode(_ ids: [Int]) -> String {
        var bytes: [UInt8] = []
        for id in ids where id != startID && id != endID {
            guard var token = token(forID: id) else { continue }
            let endsWord = token.hasSuffix("</w>")
            if endsWord { token.removeLast(4) }
            for scalar in token.unicodeScalars {
                if let byte = ByteLevelAlphabet.byte(for: scalar) { bytes.append(byte) }
            }
            if endsWord { bytes.append(0x20) }
        }
        return String(decoding: bytes, as: UTF8.self).trimmingPythonWhitespace()
    }

    /// The vocabulary string of `id` (e.g. `"cat</w>"`), or nil when out of range.
    public func token(forID id: Int) -> String? {
        vocabulary.tokensByID.indices.contains(id) ? vocabulary.tokensByID[id] : nil
    }

    /// The id of a vocabulary string, or nil.
    public func id(forToken token: String) -> Int? { vocabulary.idsByToken[token] }

    private func firstSpecialToken(in text: Substring) -> (Range<Substring.Index>, Int)? {
        let candidates = [("<|startoftext|>", startID), ("<|endoftext|>", endID)].compactMap { literal, id in
            text.range(of: literal).map { ($0, id) }
        }
        return candidates.min { $0.0.lowerBound < $1.0.lowerBound }
    }

    private func encodeOrdinary(_ text: String, into ids: inout [Int]) {
        guard !text.isEmpty else { return }
        for piece in CLIPWordSplitter.split(CLIPTextCleaner.clean(text)) {
            ids.append(contentsOf: encodePiece(piece))
        }
    }

    private func encodePiece(_ piece: String) -> [Int] {
        cacheLock.lock()
        let cached = cache[piece]
        cacheLock.unlock()
        if let cached { return cached }
        let ids = vocabulary.encodeWord(Array(piece.utf8))
        cacheLock.lock()
        if cache.count >= cacheLimit { cache.removeAll(keepingCapacity: true) }
        cache[piece] = ids
        cacheLock.unlock()
        return ids
    }
}
