/// \file
/// Image references following the distribution grammar, normalized the way docker does.
///
///     auto ref = boxtool::parse_reference("alpine:3.19");
///     // ref->qualified == false, ref->repository == "alpine", ref->tag == "3.19"
///     auto hub = ref->on("docker.io");   // docker.io/library/alpine:3.19
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "boxtool/error.hpp"
#include "boxtool/export.hpp"

namespace boxtool {

inline constexpr std::string_view kDockerHub = "docker.io";
inline constexpr std::string_view kDockerHubEndpoint = "registry-1.docker.io";

struct BOXTOOL_API Reference {
    std::string registry;    ///< normalized host[:port]; "docker.io" for Docker Hub; empty if unqualified
    std::string repository;  ///< path, with "library/" added for single-component Docker Hub names
    std::optional<std::string> tag;
    std::optional<std::string> digest;  ///< "sha256:..." or "sha512:..."; when set, this is what is pulled
    bool qualified = false;             ///< the text named a registry

    /// The tag or digest a pull asks for: the digest if present, else the tag, else "latest".
    std::string version() const;
    /// `registry/repository[:tag][@digest]`; an unqualified reference prints without a registry.
    std::string str() const;
    /// The same reference bound to a registry (for unqualified references tried on candidates).
    Reference on(std::string_view registry) const;
    /// "registry/repository", the name without tag or digest.
    std::string name() const;
};

/// Parses and normalizes. Unqualified references keep an empty registry; a missing tag (with no digest)
/// becomes "latest". Errors are ErrorKind::InvalidReference with a message saying what is wrong.
BOXTOOL_API Result<Reference> parse_reference(std::string_view text);

/// Canonical name of a registry host: Docker Hub's aliases become "docker.io", case is folded.
BOXTOOL_API std::string normalize_registry(std::string_view host);

}  // namespace boxtool
