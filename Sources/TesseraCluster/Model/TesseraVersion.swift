/// Version string written into infotext ("Version: …") and advertised by workers in HELLO.
public enum TesseraVersion {
    public static let current = "tessera 0.1.0"
}
