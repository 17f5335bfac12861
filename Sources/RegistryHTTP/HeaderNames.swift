import HTTPTypes

/// Header names of the distribution spec and our own.
extension HTTPField.Name {
    static let dockerContentDigest = HTTPField.Name("Docker-Content-Digest")!
    static let dockerUploadUUID = HTTPField.Name("Docker-Upload-UUID")!
    static let dockerDistributionAPIVersion = HTTPField.Name("Docker-Distribution-API-Version")!
    static let ociSubject = HTTPField.Name("OCI-Subject")!
    static let ociFiltersApplied = HTTPField.Name("OCI-Filters-Applied")!
    static let xForwardedFor = HTTPField.Name("X-Forwarded-For")!
    static let requestID = HTTPField.Name("X-Request-Id")!
    static let rangeHeader = HTTPField.Name("Range")!
    static let contentRangeHeader = HTTPField.Name("Content-Range")!
    static let link = HTTPField.Name("Link")!
    static let retryAfterHeader = HTTPField.Name("Retry-After")!
}
