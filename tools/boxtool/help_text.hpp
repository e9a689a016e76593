#pragma once

namespace boxtool::cli {

inline constexpr const char* kMainHelp = R"(boxtool: pull OCI and Docker images from registries

Usage:
  boxtool pull REF [flags]       pull an image into the store and optionally an output
  boxtool inspect REF [flags]    show what REF resolves to, as JSON, without pulling layers
  boxtool version                print the version
  boxtool COMMAND --help         flags of a command

Exit codes: 0 ok, 1 failure, 2 usage or config error, 3 not found, 4 unauthorized or denied,
5 network/TLS/timeout/server error, 6 integrity (digest, size, manifest), 7 no matching platform,
8 denied by policy, 130 interrupted.
)";

inline constexpr const char* kRegistryFlagsHelp = R"(Registry flags:
  --registry HOST            search registry for unqualified references (repeatable, tried in order,
                             before the config's image_registries; docker.io is the last resort)
  --insecure-registry HOST   allow plain HTTP or unverified TLS for HOST (HOST:PORT, or HOST for any port)
  --config FILE              JSON config: image_registries, insecure_registries, store
  --store DIR                content store (default $XDG_DATA_HOME/boxtool/store)
  --platform OS/ARCH[/VAR]   platform to choose from an index (default: this machine's)
  --creds USER[:PASS]        credentials for the registries contacted (prompts if PASS is missing)
  --password-stdin           read the password for --creds USER from standard input
  --connect-timeout SECONDS  give up connecting to a registry after this long (default 5)
  --timeout SECONDS          give up when a registry sends nothing for this long (default 60)
  --retries N                retries of transient failures (default 3)
)";

inline constexpr const char* kPullHelp = R"(Usage: boxtool pull REF [flags]

Pulls REF into the content store; with --output, also writes it out. Without --output the image
is only pre-pulled into the store and its digest printed.

Pull flags:
  --output oci:DIR[:TAG]     write an OCI image layout (TAG defaults to the reference's tag)
  --output oci-archive:FILE[:TAG]
                             write a tar of an OCI image layout (skopeo's oci-archive:)
  --output docker-archive:FILE[:NAME:TAG]
                             write a `docker save` tarball for docker/podman load (NAME:TAG
                             defaults to the reference's registry/repository:tag)
  --output rootfs:DIR        unpack the layers into a root filesystem at DIR (new or empty)
  --rootless                 rootfs: skip ownership, device nodes and set-id bits (automatic
                             when not root); a warning lists what was skipped
  --unpack-max-bytes SIZE    refuse layers that decompress to more than SIZE in total
                             (K/M/G/T suffixes; default 64G)
  --unpack-max-entries N     refuse layers with more than N entries in total (default 2000000)
  --jobs N                   concurrent blob downloads (default 4)
  --progress MODE            auto (bars on a terminal, lines otherwise), tty, plain, json, none
  -q, --quiet                no progress output
)";

inline constexpr const char* kInspectHelp = R"(Usage: boxtool inspect REF [flags]

Resolves REF on its candidate registries and prints JSON: the registry and repository that
served it, its digest and media type, the platforms of an index, and the chosen manifest's
config and layers. Downloads manifests only.
)";

}  // namespace boxtool::cli
