/// Little-endian element decoding for checkpoint dtypes. Half and bfloat16 are widened exactly.
public enum DTypeConversion {
    /// Decodes `raw` (elements of `dtype`) to Float32.
    public static func floats(from raw: UnsafeRawBufferPointer, dtype: TensorDType) -> [Float] {
        let n = raw.count / dtype.size
        return [Float](unsafeUninitializedCapacity: n) { out, initialized in
            switch dtype {
            case .f32:
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: UInt32.self))) }
            case .f16:
                for i in 0..<n { out[i] = halfToFloat(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) }
            case .bf16:
                for i in 0..<n { out[i] = Float(bitPattern: UInt32(UInt16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: UInt16.self))) << 16) }
            case .f64:
                for i in 0..<n { out[i] = Float(Double(bitPattern: UInt64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: UInt64.self)))) }
            case .i64, .i32, .i16, .i8, .u8, .bool:
                let ints = integers(from: raw, dtype: dtype)
                for i in 0..<n { out[i] = Float(ints[i]) }
            }
            initialized = n
        }
    }

    /// Decodes `raw` (elements of an integer or bool `dtype`) to Int64; floats are truncated.
    public static func integers(from raw: UnsafeRawBufferPointer, dtype: TensorDType) -> [Int64] {
        let n = raw.count / dtype.size
        return (0..<n).map { i -> Int64 in
            switch dtype {
            case .i64: return Int64(littleEndian: raw.loadUnaligned(fromByteOffset: i * 8, as: Int64.self))
            case .i32: return Int64(Int32(littleEndian: raw.loadUnaligned(fromByteOffset: i * 4, as: Int32.self)))
            case .i16: return Int64(Int16(littleEndian: raw.loadUnaligned(fromByteOffset: i * 2, as: Int16.self)))
            case .i8: return Int64(raw.load(fromByteOffset: i, as: Int8.self))
            case .u8, .bool: return Int64(raw.load(fromByteOffset: i, as: UInt8.self))
            case .f32, .f16, .bf16, .f64:
                return Int64(floats(from: UnsafeRawBufferPointer(rebasing: raw[(i * dtype.size)..<((i + 1) * dtype.size)]), dtype: dtype)[0])
            }
        }
    }

    /// IEEE 754 binary16 → binary32, exact for every input including subnormals, inf and NaN.
    @inline(__always)
    public static func halfToFloat(_ h: UInt16) -> Float {
        let sign = UInt32(h & 0x8000) << 16
        let exponent = Int((h >> 10) & 0x1F)
        let mantissa = UInt32(h & 0x3FF)
        if exponent == 0 {
            if mantissa == 0 { return Float(bitPattern: sign) }
            // Subnormal half: value = mantissa * 2^-24, exactly representable in Float.
            let v = Float(mantissa) * Float(sign: .plus, exponent: -24, significand: 1)
            return sign != 0 ? -v : v
        }
        if exponent == 0x1F {
            return Float(bitPattern: sign | 0x7F80_0000 | (mantissa << 13))
        }
        return Float(bitPattern: sign | UInt32(exponent - 15 + 127) << 23 | (mantissa << 13))
    }
}
