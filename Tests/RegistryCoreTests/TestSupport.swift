import RegistryCore

/// A repository name from a literal fixture; a typo in a fixture stops the test run loudly.
func repo(_ text: String) -> RepositoryName {
    guard let name = RepositoryName(text) else { preconditionFailure("fixture \"\(text)\" is not a valid name") }
    return name
}

/// A digest from a literal fixture.
func digest(_ text: String) -> Digest {
    guard let digest = Digest(text) else { preconditionFailure("fixture \"\(text)\" is not a valid digest") }
    return digest
}

let sha256Hello = "sha256:2cf24dba5fb0a30e26e83b2ac5b9e29e1b161e5c1fa7425e73043362938b9824"
let sha256Empty = "sha256:e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
let sha512Empty = "sha512:cf83e1357eefb8bdf1542850d66d8007d620e4050b5715dc83f4a921d36ce9ce47d0d13c5d85f2b0ff8318d2877eec2f63b931bd47417a81a538327af927da3e"
