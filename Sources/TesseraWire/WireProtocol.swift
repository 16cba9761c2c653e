/// Constants of the Tessera wire protocol (docs/protocol.md).
public enum WireProtocol {
    /// The four bytes every header frame starts with: ASCII "TESS".
    public static let signature: [UInt8] = [0x54, 0x45, 0x53, 0x53]
    /// The version this implementation writes in every header.
    public static let version: UInt8 = 1
    /// Versions this implementation can decode; HELLO advertises them.
    public static let supportedVersions: [UInt8] = [1]
    /// Bytes before the command body: signature, version, command.
    public static let headerPrefixSize = 6
    /// Default heartbeat interval, both directions.
    public static let defaultHeartbeatMilliseconds: UInt32 = 1000
    /// Missed heartbeat intervals after which a peer is considered gone.
    public static let defaultLiveness: UInt8 = 3
    /// Default tile lease; renewed only by PROGRESS (docs/protocol.md §9.3).
    public static let defaultLeaseMilliseconds: UInt32 = 30_000
}

/// Size limits a decoder enforces before allocating anything. Both peers use the defaults unless
/// configured otherwise; a message over a limit is rejected with ``WireError/tooLarge(what:size:limit:)``.
public struct WireLimits: Sendable, Equatable {
    /// Largest header frame (signature + command fields), in bytes.
    public var maxHeaderBytes: Int
    /// Largest decompressed payload, in bytes.
    public var maxPayloadBytes: Int
    /// Most payload frames after the header.
    public var maxPayloadFrames: Int
    /// Largest sum of decompressed payload sizes in one message, so many maximal payloads cannot
    /// add up to gigabytes.
    public var maxTotalPayloadBytes: Int

    public init(maxHeaderBytes: Int = 1 << 20, maxPayloadBytes: Int = 64 << 20, maxPayloadFrames: Int = 16, maxTotalPayloadBytes: Int = 128 << 20) {
        self.maxHeaderBytes = maxHeaderBytes
        self.maxPayloadBytes = maxPayloadBytes
        self.maxPayloadFrames = maxPayloadFrames
        self.maxTotalPayloadBytes = maxTotalPayloadBytes
    }

    /// The protocol defaults: 1 MiB header, 64 MiB per payload, 16 payload frames, 128 MiB in all.
    public static let `default` = WireLimits()

    /// The value to give ``TesseraZMQ/SocketOption/maxMessageSize(_:)`` so libzmq itself drops
    /// any frame that could never decode: the worst-case LZ4 frame of a maximal payload.
    public var recommendedMaxFrameSize: Int64 {
        Int64(max(maxHeaderBytes, PayloadFrame.headerSize + LZ4Block.compressBound(maxPayloadBytes)))
    }
}

extension WireProtocol {
    /// The version a coordinator picks for a HELLO offering `offered`: the highest one both sides
    /// speak, or nil (answer ERROR UNSUPPORTED_VERSION, then DISCONNECT; docs/protocol.md §9.1).
    public static func negotiateVersion(offered: [UInt8], supported: [UInt8] = supportedVersions) -> UInt8? {
        offered.filter(supported.contains).max()
    }
}
