/// The built-in configuration used when `serve` is given no config file.
public enum ConfigDefaults {
    /// The same text as `policies/default.yaml`: loopback only, no authentication, anonymous full access,
    /// storage in `./zot-data`. For local development only.
    public static let yaml: String = """
    # zot-authz default configuration — LOCAL DEVELOPMENT ONLY.
    #
    # Used by `zot-authz serve` when no config file is given. It listens on the loopback
    # interface only, has NO authentication, and lets anonymous clients read, push,
    # overwrite and delete every repository. Never expose it to a network: write your own
    # config with http.auth and http.accessControl (Zot's format, JSON or YAML) instead.
    distSpecVersion: "1.1.1"
    http:
      address: "127.0.0.1"
      port: 5000
      realm: "zot-authz"
      accessControl:
        repositories:
          "**":
            anonymousPolicy: [read, create, update, delete]
    storage:
      # Relative to the directory zot-authz is started from.
      rootDirectory: "./zot-data"
      dedupe: true
      gc: true
    log:
      level: info
    """

    /// `yaml`, parsed.
    public static func config() throws(ConfigError) -> ZotConfig {
        try ConfigLoader.parse(yaml, format: .yaml)
    }
}
