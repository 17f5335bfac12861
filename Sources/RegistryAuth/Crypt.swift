import CCrypt

/// Thin, thread-safe wrapper over libcrypt (`crypt_rn`, `crypt_gensalt_rn`).
///
/// Each call allocates its own zeroed `struct crypt_data` on the heap (about 32 KiB) and wipes it afterwards,
/// so calls may run concurrently on any thread. Calls are CPU-bound: run them off the event loop.
enum Crypt {
    /// Hashes `phrase` with `setting` (a salt string or a full stored hash); `nil` when libcrypt refuses
    /// (unsupported or malformed setting, over-long or NUL-containing phrase).
    static func hash(phrase: String, setting: String) -> String? {
        guard !phrase.utf8.contains(0), !setting.utf8.contains(0) else { return nil }
        let size = MemoryLayout<crypt_data>.size
        let data = UnsafeMutableRawPointer.allocate(byteCount: size, alignment: MemoryLayout<crypt_data>.alignment)
        data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
        defer {
            data.initializeMemory(as: UInt8.self, repeating: 0, count: size)
            data.deallocate()
        }
        guard let output = crypt_rn(phrase, setting, data, Int32(size)) else { return nil }
        let result = String(cString: output)
        // libxcrypt documents NULL on failure for crypt_rn; guard against "*0"-style failure tokens anyway.
        guard !result.hasPrefix("*") else { return nil }
        return result
    }

    /// Generates a fresh setting (salt) for `prefix` (`"$2b$"`, `"$5$"`, `"$6$"`) with `count` (bcrypt cost or
    /// SHA-crypt rounds; 0 = libcrypt's default), using the OS random source.
    static func generateSetting(prefix: String, count: Int) -> String? {
        guard count >= 0 else { return nil }
        var output = [CChar](repeating: 0, count: Int(CRYPT_GENSALT_OUTPUT_SIZE))
        let produced = output.withUnsafeMutableBufferPointer { buffer in
            crypt_gensalt_rn(prefix, UInt(count), nil, 0, buffer.baseAddress, Int32(buffer.count))
        }
        guard produced != nil else { return nil }
        let setting = String(decoding: output.prefix { $0 != 0 }.map { UInt8(bitPattern: $0) }, as: UTF8.self)
        return setting.hasPrefix("*") || setting.isEmpty ? nil : setting
    }
}
