// Image names as signatures and policies write them, normalized as docker's ParseNormalizedNamed
// does ("busybox" is "docker.io/library/busybox"), keeping what boxtool's Reference does not: whether
// a tag was written at all. Signature identity rules compare these.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "boxtool/reference.hpp"

namespace boxtool::trust {

struct DockerName {
    std::string name;  // "registry/repository"
    std::optional<std::string> tag;
    std::optional<std::string> digest;

    bool name_only() const noexcept { return !tag && !digest; }
    std::string str() const;  // name[:tag][@digest]
};

// nullopt (with the reason in *why) when the text is not a valid image name.
std::optional<DockerName> parse_docker_name(std::string_view text, std::string* why = nullptr);

// The name a pulled reference is judged under: with its digest when it has one (the digest is what
// was pulled; the tag is dropped), otherwise with its tag. `ref` must be qualified.
DockerName docker_name_of(const Reference& ref);

// remapIdentity's prefix and signedPrefix: a host[:port], or a name starting with one.
bool valid_remap_prefix(std::string_view prefix);

}  // namespace boxtool::trust
