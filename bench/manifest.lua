-- wrk script: manifest HEAD/GET with optional Basic credentials.
-- Environment: BENCH_METHOD (HEAD or GET), BENCH_AUTH (full Authorization header value, empty = anonymous).
wrk.method = os.getenv("BENCH_METHOD") or "GET"
local auth = os.getenv("BENCH_AUTH")
if auth ~= nil and auth ~= "" then
  wrk.headers["Authorization"] = auth
end
wrk.headers["Accept"] = "application/vnd.oci.image.manifest.v1+json, application/vnd.docker.distribution.manifest.v2+json"
