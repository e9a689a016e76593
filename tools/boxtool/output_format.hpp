// `inspect --format`: parts of a JSON document picked out by a Go-template-like text or a JSON
// pointer, as users of docker, podman and skopeo write them:
//   {{.Digest}}  {{.Config.Env}}  {{json .Labels}}  {{index .Labels "org.opencontainers.image.version"}}
//   {{join .Tags ","}}  {{range .Tags}}{{.}} {{end}}  /config/architecture  (RFC 6901 pointer)
// Field names match keys case-insensitively; a name not found at the top is looked for in "config"
// (so {{.Architecture}}, {{.Labels}} work as with skopeo inspect).
#pragma once

#include <string>

namespace boxtool::cli {

// Renders `format` against the JSON text `document`. Throws UsageError for a malformed template, a
// field that does not exist, or a pointer that points nowhere.
std::string render_format(const std::string& format, const std::string& document);

}  // namespace boxtool::cli
