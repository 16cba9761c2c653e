/// numpy's `np.random.SeedSequence(entropy, spawn_key=…, pool_size=…)` and its
/// `generate_state(n)` (uint32 words), bit for bit.
///
/// torchsde derives every random number of a Brownian tree from it: the tree's root from
/// `SeedSequence(entropy=seed, pool_size=24)` and each split node from
/// `SeedSequence(entropy=seed, spawn_key=(node key, depth), pool_size=24)`. The algorithm
/// (hash-mixing the entropy words into a pool, then hashing the pool out) is numpy's
/// `bit_generator.pyx`; numpy has kept it stable since 1.19 (the spawn-key zero padding).
public struct NumpySeedSequence: Sendable, Equatable {
    /// The mixed entropy pool (numpy's `SeedSequence.pool`).
    public let pool: [UInt32]

    private static let initA: UInt32 = 0x43B0_D7E5
    private static let multA: UInt32 = 0x931E_8875
    private static let initB: UInt32 = 0x8B51_F9DD
    private static let multB: UInt32 = 0x58F3_8DED
    private static let mixMultL: UInt32 = 0xCA01_F9DD
    private static let mixMultR: UInt32 = 0x4973_F715
    private static let xShift: UInt32 = 16
    /// numpy's `DEFAULT_POOL_SIZE`; smaller pools are refused by numpy.
    public static let minimumPoolSize = 4

    /// `SeedSequence(entropy=entropy, spawn_key=spawnKey, pool_size=poolSize)`. Each integer is
    /// split into little-endian 32-bit words (0 → one zero word) as numpy does.
    public init(entropy: UInt64, spawnKey: [UInt64] = [], poolSize: Int = 4) throws {
        guard poolSize >= Self.minimumPoolSize else {
            throw SamplingError.invalidParameter(name: "SeedSequence pool_size", problem: "must be at least \(Self.minimumPoolSize), got \(poolSize)")
        }
        var runEntropy = Self.words(entropy)
        let spawnEntropy = spawnKey.flatMap(Self.words)
        // numpy ≥ 1.19 pads the run entropy to the pool size when a spawn key is present, so
        // spawned children never collide with plain sequences.
        if !spawnEntropy.isEmpty, runEntropy.count < poolSize {
            runEntropy += [UInt32](repeating: 0, count: poolSize - runEntropy.count)
        }
        pool = Self.mixed(entropy: runEntropy + spawnEntropy, poolSize: poolSize)
    }

    /// `generate_state(count)` with the default dtype uint32.
    public func generateState(_ count: Int) -> [UInt32] {
        var hashConst = Self.initB
        var out = [UInt32]()
        out.reserveCapacity(count)
        for i in 0..<count {
            var value = pool[i % pool.count]
            value ^= hashConst
            hashConst &*= Self.multB
            value &*= hashConst
            value ^= value >> Self.xShift
            out.append(value)
        }
        return out
    }

    /// numpy's `_int_to_uint32_array`.
    static func words(_ value: UInt64) -> [UInt32] {
        if value == 0 { return [0] }
        var words = [UInt32](), rest = value
        while rest > 0 {
            words.append(UInt32(truncatingIfNeeded: rest))
            rest >>= 32
        }
        return words
    }

    private static func hashMix(_ value: UInt32, _ hashConst: inout UInt32) -> UInt32 {
        var v = value ^ hashConst
        hashConst &*= multA
        v &*= hashConst
        return v ^ (v >> xShift)
    }

    private static func mix(_ x: UInt32, _ y: UInt32) -> UInt32 {
        let r = mixMultL &* x &- mixMultR &* y
        return r ^ (r >> xShift)
    }

    private static func mixed(entropy: [UInt32], poolSize: Int) -> [UInt32] {
        var hashConst = initA
        var pool = (0..<poolSize).map { i in hashMix(i < entropy.count ? entropy[i] : 0, &hashConst) }
        for src in 0..<poolSize {
            for dst in 0..<poolSize where src != dst {
                pool[dst] = mix(pool[dst], hashMix(pool[src], &hashConst))
            }
        }
        if entropy.count > poolSize {
            for src in poolSize..<entropy.count {
                for dst in 0..<poolSize {
                    pool[dst] = mix(pool[dst], hashMix(entropy[src], &hashConst))
                }
            }
        }
        return pool
    }
}
