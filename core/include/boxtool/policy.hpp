/// \file
/// Which registries an image reference is tried on, in what order, and why.
/// The engine knows only this interface; the built-in order lives here, the Lua host in
/// boxtool::lua::LuaPolicy (lua_policy.hpp), and an embedder may bring a class of its own:
///
///     class OnlyInternal final : public boxtool::RegistryPolicy {
///       public:
///         boxtool::Result<std::vector<boxtool::Candidate>> select(const boxtool::Reference& ref,
///                                                                const boxtool::PolicyContext&) override {
///             if (ref.qualified && ref.registry != "registry.internal")
///                 return boxtool::Error{boxtool::ErrorKind::PolicyDenied, "only registry.internal"};
///             boxtool::Candidate c;
///             c.reference = ref.on("registry.internal");
///             c.reason = "the internal registry";
///             return std::vector{c};
///         }
///     };
#pragma once

#include <string>
#include <vector>

#include "boxtool/error.hpp"
#include "boxtool/export.hpp"
#include "boxtool/platform.hpp"
#include "boxtool/reference.hpp"

namespace boxtool {

struct Candidate {
    Reference reference;    ///< fully qualified: registry and repository to pull from
    std::string reason;     ///< why this candidate is tried, for --explain and error messages
    bool insecure = false;  ///< plain HTTP or unverified TLS allowed for this candidate
    /// A mirror of this registry (empty: not a mirror). Informational for --explain and errors.
    std::string mirror_of;
    /// The upstream registry whose credentials this mirror may receive. Empty: the mirror gets only
    /// its own credentials, so an upstream password never reaches a mirror the user did not trust.
    std::string credentials_from;
    bool digest_only = false;  ///< tried only when the reference pins a digest
};

struct PolicyContext {
    std::vector<std::string> registries;           ///< search registries: flags first, then config
    std::vector<std::string> insecure_registries;  ///< registries allowed over plain HTTP
    Platform platform;
    std::string operation = "pull";  ///< "pull", "inspect" or "explain"
};

/// Implementations must be safe to call from several threads at once, and must not throw.
class BOXTOOL_API RegistryPolicy {
  public:
    virtual ~RegistryPolicy() = default;
    /// Ordered candidates, or an Error: PolicyDenied when the reference must not be pulled,
    /// PolicyError when the policy itself failed.
    virtual Result<std::vector<Candidate>> select(const Reference& reference,
                                                  const PolicyContext& context) = 0;
};

/// The foundation's order: a qualified reference only on its registry; an unqualified one on each
/// search registry in order, then docker.io unless already listed.
class BOXTOOL_API DefaultPolicy final : public RegistryPolicy {
  public:
    Result<std::vector<Candidate>> select(const Reference& reference, const PolicyContext& context) override;
};

/// Whether `registry` (host[:port]) matches an insecure entry: "host:port" exactly, or "host" on any port.
BOXTOOL_API bool is_insecure_registry(std::string_view registry,
                                      const std::vector<std::string>& insecure_registries);
/// Whether `registry` (host[:port]) matches an entry of `list`, as is_insecure_registry matches.
BOXTOOL_API bool registry_listed(std::string_view registry, const std::vector<std::string>& list);

/// The candidates an engine actually tries: digest_only ones are dropped unless `reference` pins a digest.
BOXTOOL_API std::vector<Candidate> usable_candidates(const Reference& reference,
                                                     std::vector<Candidate> candidates);

/// One line per candidate, in order, with its reason and mirror/credential/digest notes, for --explain.
BOXTOOL_API std::string explain_candidates(const std::vector<Candidate>& candidates);

}  // namespace boxtool
