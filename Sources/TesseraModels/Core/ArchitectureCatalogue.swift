/// The weights each architecture needs, by name and shape, without allocating any.
///
/// Lets a loader check a file against a configuration before reading gigabytes, and lets tests
/// compare the full-size SD1.5 layout with the reference manifest.
public enum ArchitectureCatalogue {
    /// Parameters of a UNet with `configuration`.
    public static func unet(_ configuration: UNetConfiguration) throws -> [String: [Int]] {
        let loader = ParameterLoader(catalogueFor: "UNet catalogue")
        _ = try UNet(loader: loader, configuration: configuration)
        return loader.catalogue
    }

    /// Parameters of a ControlNet with `configuration` and hint-encoder widths `hintChannels`.
    public static func controlNet(_ configuration: UNetConfiguration, hintChannels: [Int] = [16, 32, 96, 256]) throws -> [String: [Int]] {
        let loader = ParameterLoader(catalogueFor: "ControlNet catalogue")
        _ = try ControlNet(loader: loader, configuration: configuration, hintImageChannels: 3, hintChannels: hintChannels)
        return loader.catalogue
    }

    /// Parameters of a VAE with `configuration`.
    public static func vae(_ configuration: VAEConfiguration) throws -> [String: [Int]] {
        let loader = ParameterLoader(catalogueFor: "VAE catalogue")
        _ = try AutoencoderKL(loader: loader, configuration: configuration)
        return loader.catalogue
    }

    /// Parameters of a CLIP text encoder with `configuration`.
    public static func textEncoder(_ configuration: CLIPTextConfiguration) throws -> [String: [Int]] {
        let loader = ParameterLoader(catalogueFor: "text encoder catalogue")
        _ = try CLIPTextEncoder(loader: loader, configuration: configuration)
        return loader.catalogue
    }
}
