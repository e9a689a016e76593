#pragma once

namespace boxtool::cli {

inline constexpr const char* kMainHelp = R"(boxtool: pull OCI and Docker images from registries

Usage:
  boxtool pull REF [flags]       pull an image into the store and optionally an output
  boxtool pull --compose FILE    pull every image of a compose stack at once
  boxtool inspect REF [flags]    show what REF resolves to (digest, platforms, config, tags), as JSON
  boxtool push SRC REF [flags]   push an image (oci:DIR[:TAG], oci-archive:FILE[:TAG], docker-archive:FILE)
  boxtool copy SRC DST [flags]   copy an image between registries (docker://REF), layouts and archives
  boxtool tags REPO [flags]      list every tag of a repository (all pages)
  boxtool login HOST [flags]     check credentials with the registry, then store them
  boxtool logout HOST            remove stored credentials for a registry
  boxtool conformance REGISTRY/NAMESPACE [flags]   check a registry as clients need it (for CI)
  boxtool registry COMMAND       manage the encrypted credential store (add, list, show, update, rm)
  boxtool policy explain REF     list the registries REF would be tried on, with reasons
  boxtool policy test FILE.lua CASES.json   check a Lua policy against expected candidates
  boxtool store ls|du|verify|prune|rm   list, measure, check and clean the content store
  boxtool completion SHELL       print a completion script for bash, zsh or fish
  boxtool man [COMMAND]          print a man page (--output-dir DIR writes them all)
  boxtool version [--json]       print the version, commit, build type and library versions
  boxtool help [COMMAND]         this help, or a command's
  boxtool COMMAND --help         flags of a command

Registry, config, credential and TLS flags (and --debug) may also come before the command:
  boxtool --config cfg.json --registry my.registry pull alpine

Environment: HTTPS_PROXY, HTTP_PROXY, NO_PROXY (and lower-case forms) choose forward proxies;
BOXTOOL_DEBUG=1 is --debug; BOXTOOL_CREDENTIAL_STORE, BOXTOOL_STORE_KEY, BOXTOOL_STORE_KEY_FILE,
BOXTOOL_STORE_PASSPHRASE for the credential store; DOCKER_CONFIG for docker's config.json.

Exit codes: 0 ok, 1 failure, 2 usage or config error, 3 not found, 4 unauthorized or denied,
5 network/TLS/timeout/server error, 6 integrity (digest, size, manifest), 7 no matching platform,
8 refused by a registry-selection or signature policy, 130 interrupted.
)";

inline constexpr const char* kPushHelp = R"(Usage: boxtool push SRC REF [flags]

Pushes the image SRC to the registry reference REF (docker://REF or REF). SRC is oci:DIR[:TAG],
oci-archive:FILE[:TAG], docker-archive:FILE[:NAME:TAG] or docker://REF. Blobs the registry has
are skipped, blobs in another repository of the same registry are mounted, uploads are streamed
and verified, and the tag is written last: a failed push leaves no tag pointing at missing content.

Flags:
  --all                      push every platform of an index (default: this platform's image only)
  --jobs N                   concurrent blob uploads (default 4)
  --chunk-size BYTES         upload in PATCH chunks of this size (default: one PUT per blob)
  --dest-creds USER[:PASS]   credentials for the destination registry (before --creds and the chain)
  --src-creds USER[:PASS]    credentials for a docker:// source
  --progress plain|json|none one line per blob on stderr (json: JSON lines on stdout)
  -q, --quiet                only the result
)";

inline constexpr const char* kCopyHelp = R"(Usage: boxtool copy SRC DST [flags]

Copies an image. SRC: docker://REF, oci:DIR[:TAG], oci-archive:FILE[:TAG],
docker-archive:FILE[:NAME:TAG]. DST: docker://REF (a registry), oci:DIR[:TAG],
oci-archive:FILE[:TAG] or docker-archive:FILE[:NAME:TAG]. A bare reference means docker://.
Source and destination credentials may differ: --src-creds and --dest-creds (like skopeo), and the
credential chain answers for each registry on its own; --creds goes to the destination registry
(or to the source when the destination is local).

Flags: as for push (--all, --jobs, --chunk-size, --src-creds, --dest-creds, --progress, -q, --quiet);
see boxtool push --help.
)";

inline constexpr const char* kTagsHelp = R"(Usage: boxtool tags REGISTRY/REPOSITORY [flags]

Lists every tag of the repository, one per line, following the registry's Link pages.

Flags:
  --page-size N              ask for N tags per page (default: the registry's choice)
  --json                     one JSON document {"repository": ..., "tags": [...]}
)";

inline constexpr const char* kConformanceHelp = R"(Usage: boxtool conformance REGISTRY/NAMESPACE [flags]

Checks how a registry behaves for clients: pull, content discovery, push and content management
(OCI distribution-spec), authentication, TLS and behaviour beyond the spec. Prints a table (RESULT,
LEVEL, ID, EVIDENCE). Exit 0 when every MUST check passes, 1 when one fails, 2 for usage errors.
REGISTRY/NAMESPACE may be a URL (http:// allows plain HTTP). Without it: $OCI_ROOT_URL/$OCI_NAMESPACE.

Flags:
  --list                     every check with its id, level and spec section (with --json: JSON)
  --only ID_GLOB             run only matching checks (repeatable), e.g. --only 'pull.*'
  --skip ID_GLOB             leave matching checks out (repeatable)
  --push                     enable the write workflows (nothing is written without it); the run
                             pushes a test image into NAMESPACE and removes it afterwards
  --image REF                read-only checks against an existing image (REPOSITORY:TAG or @DIGEST)
  --json                     one JSON document on stdout instead of the table
  --junit FILE               also write JUnit XML (one testcase per check)
  --timeout SECONDS          per request (default 30)
Credentials and TLS as for pull. Environment (the OCI conformance suite's): OCI_ROOT_URL,
OCI_NAMESPACE, OCI_USERNAME, OCI_PASSWORD, OCI_TEST_PULL, OCI_TEST_PUSH,
OCI_TEST_CONTENT_DISCOVERY, OCI_TEST_CONTENT_MANAGEMENT, OCI_TAG_NAME, OCI_MANIFEST_DIGEST.
)";

inline constexpr const char* kRegistryFlagsHelp = R"(Registry flags:
  --registry HOST            search registry for unqualified references (repeatable, tried in order,
                             before the config's image_registries; docker.io is the last resort)
  --insecure-registry HOST   allow plain HTTP or unverified TLS for HOST (HOST:PORT, or HOST for any port)
  --plain-http HOST          speak plain HTTP to HOST without trying HTTPS first (as ctr --plain-http;
                             implies --insecure-registry HOST)
  --config FILE              JSON config: image_registries, insecure_registries, plain_http_registries,
                             store, policy, plugin_dirs, credential_sources, credential_links,
                             extra_root_certificates, certs_dirs, proxy, signature_policy,
                             registries_d
  --ca-file FILE             also trust the CA certificates in this PEM file (repeatable)
  --store DIR                content store (default $XDG_DATA_HOME/boxtool/store)
  --platform OS/ARCH[/VAR]   platform to choose from an index (default: this machine's); an image
                             for another platform only is an error (exit 7)
  --creds USER[:PASS]        credentials for the registries contacted (prompts if PASS is missing);
                             --password-stdin is safer: a password on the command line can be seen
                             by other local users (ps, /proc) until boxtool hides it, and stays in
                             shell history
  --password-stdin           read the password for --creds USER from standard input (safer)
  --credential NAME|ID       use this entry of the encrypted credential store (see boxtool registry;
                             an id prefix of 8 characters, as `registry list` shows, works too)
  --credential-store FILE    the encrypted credential store (default $BOXTOOL_CREDENTIAL_STORE or
                             ~/.config/boxtool/credentials.store)
  --connect-timeout SECONDS  give up connecting (TCP, or to the proxy) after this long (default 2)
  --timeout SECONDS          give up waiting for an answer after this long: the TLS handshake, the
                             response headers, and each pause in a body (default 60); every retry
                             waits again, so one request can take (retries + 1) x timeout
                             plus the back-off between attempts
  --retries N                retries of transient failures (default 3)
  --speed-limit BYTES        a transfer slower than BYTES per second over --speed-time has stalled:
                             it is cut off and retried (default 1024; 0 turns the check off)
  --speed-time SECONDS       the window of --speed-limit (default 30)
  --max-time SECONDS         the longest one request may take, body included (default: none for
                             layers, 120 for manifests and tokens)
  --policy FILE.lua          Lua registry-selection policy (overrides the config's "policy")
  --signature-policy FILE    containers-policy.json the image must satisfy (default: the config's
                             "signature_policy", else ~/.config/containers/policy.json or
                             /etc/containers/policy.json when one exists, else none)
  --insecure-policy          apply no signature policy at all (a warning says so)
  --registries.d DIR         where lookaside locations of GPG signatures are configured (default:
                             the config's "registries_d", else ~/.config/containers/registries.d
                             when it exists, else /etc/containers/registries.d)
  --debug                    log every request and answer (method, URL, status, headers that matter,
                             time taken, retries, redirects, credential source), secrets redacted:
                             to stderr, or JSON lines on stdout with --progress json (BOXTOOL_DEBUG=1)
These flags may also be given before the command (boxtool --config FILE pull REF).
Proxies: HTTPS_PROXY / HTTP_PROXY / NO_PROXY (or "proxy" in the config); loopback is never proxied
unless the config says "proxy": {"loopback": true}.
)";

inline constexpr const char* kPullHelp = R"(Usage: boxtool pull REF [flags]
       boxtool pull --compose FILE [--compose FILE2 ...] [flags]

Pulls REF into the content store; with --output, also writes it out. Without --output the image
is only pre-pulled into the store and its digest printed.

With --compose, pulls the image of every service of a Compose file (several files merge in order,
as docker compose -f a -f b; ${VAR} interpolation from the environment and the .env beside the first
file), all at once into the store, and prints a table: service, image, registry, credentials,
digest, size, result. --output oci:DIR writes one layout with each image named after its service.
A service's x-boxtool-credential names the stored credential it uses.

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
                             (by default blobs under 1 MiB also run up to 16 at once beside them)
  --progress MODE            auto (bars on a terminal, lines otherwise), tty, plain, json, none
  -q, --quiet                no progress output
  --explain                  print the candidate registries in order, with reasons, and the
                             credential source each would use, before pulling
  --compose FILE             pull a compose stack instead of REF (repeatable: files merge in order)
  --parallel N               images pulled at once with --compose (default 4)
)";

inline constexpr const char* kPolicyHelp = R"help(Usage:
  boxtool policy explain REF [registry flags]   the candidates REF would be tried on, in order, with
                                                each reason; nothing is pulled
  boxtool policy test FILE.lua CASES.json       run a table of reference -> expected candidates (or
                                                expect_deny / expect_error) cases; exit 1 if any fails

The policy comes from --policy FILE.lua or the config file's "policy" key; without one, the
built-in search order applies. See the README's "Registry policy (Lua)" section.
)help";

inline constexpr const char* kStoreHelp = R"(Usage:
  boxtool store ls [--json]      images pulled into the store: reference, digest, platform, size, when
  boxtool store du               room taken by blobs, and by what prune would remove
  boxtool store verify           re-hash every blob and check every image record; exit 1 on problems
  boxtool store prune [--dry-run] [--no-wait]
                                 remove blobs no pulled image needs, interrupted downloads and lock
                                 files nobody holds; waits for running pulls unless --no-wait
  boxtool store rm REF...        forget the images pulled as REF (their blobs go at the next prune)

Flags: --store DIR (default $XDG_DATA_HOME/boxtool/store), --config FILE (its "store" key).
Safe while pulls run. A store owned by another user, or writable by others, is refused.
)";

inline constexpr const char* kInspectHelp = R"(Usage: boxtool inspect REF [flags]

Resolves REF on its candidate registries and prints JSON: the registry and repository that served
it, its digest and media type, the platforms of an index, the chosen manifest's config and layers,
a summary of the image config (created, author, architecture, os, variant, env, entrypoint, cmd,
working directory, user, exposed ports, volumes, labels, stop signal) and the repository's tags.
Reads manifests and the config blob only, and writes nothing (the store is not touched).

Flags:
  --raw                      print the manifest (or index) exactly as the registry served it
  --image-config             print the image config blob (what skopeo inspect --config prints);
                             --config stays the configuration file
  --format TEMPLATE          print parts of the JSON: Go-template style {{.Digest}},
                             {{.Config.Env}}, {{json .Labels}}, {{index .Labels "k"}} or a JSON
                             pointer /config/architecture; see the README's "inspect"
  --no-tags                  do not list the repository's tags (one request fewer)
  --signatures               instead: list the signatures found for the image (the platform
                             manifest, for an index: what a pull checks) and whether each verifies
                             under the signature policy, with the scope that applies
)";

inline constexpr const char* kLoginHelp =
    R"(Usage: boxtool login HOST [-u USER] [--password-stdin] [--to store|docker-config] [flags]

Checks the credentials against the registry HOST first, as docker login does (a token from its
Bearer realm, or GET /v2/ with Basic), and stores them only when the registry accepts them. The
password is read from standard input (--password-stdin) or asked for on the terminal without echo.

Flags:
  -u, --username USER        the user name (asked for on the terminal when missing)
  --password-stdin           read the password from standard input
  -p, --password PASS        the password on the command line (not recommended: visible to other
                             users and kept in shell history; a warning is printed)
  --to store                 keep them in the encrypted credential store (the default; the key as
                             for boxtool registry: BOXTOOL_STORE_KEY, --key-file, a passphrase)
  --to docker-config         keep them in docker's config.json ($DOCKER_CONFIG or ~/.docker):
                             through its credsStore / credHelpers helper when one is configured
                             (docker-credential-NAME store), else as "auths"
  --name NAME                the store entry's name (default: the registry host)
  --credential-store FILE    the encrypted store (default $BOXTOOL_CREDENTIAL_STORE or
                             ~/.config/boxtool/credentials.store)
  --key-file FILE            the store's key file
)";

inline constexpr const char* kLogoutHelp = R"(Usage: boxtool logout HOST [--from store|docker-config|all]

Removes the credentials for the registry HOST: the encrypted store's entries for exactly that
server, and docker's config.json "auths" entry (or its credential helper's, with
docker-credential-NAME erase). Both by default.

Flags:
  --from store|docker-config|all   where to remove them from (default all)
  --credential-store FILE    the encrypted store
  --key-file FILE            the store's key file
)";

inline constexpr const char* kVersionHelp = R"(Usage: boxtool version [--json]

Prints boxtool's version, the commit it was built from, the build type, the compiler and the
versions of the libraries it uses (Poco, OpenSSL, libarchive, Lua, yaml-cpp, zlib, zstd).

Flags:
  --json                     one JSON document instead of lines
)";

inline constexpr const char* kCompletionHelp = R"(Usage: boxtool completion bash|zsh|fish

Prints a shell completion script for commands, subcommands, flags and flag values.

  bash:  source <(boxtool completion bash)      or save it as
         /usr/share/bash-completion/completions/boxtool
  zsh:   boxtool completion zsh > "${fpath[1]}/_boxtool"   (then compinit), or
         source <(boxtool completion zsh) after compinit
  fish:  boxtool completion fish > ~/.config/fish/completions/boxtool.fish
)";

inline constexpr const char* kManHelp = R"(Usage: boxtool man [COMMAND] [--output-dir DIR]

Prints boxtool's man page (or COMMAND's) in roff, made from the same text as --help. With
--output-dir, writes boxtool.1 and boxtool-COMMAND.1 for every command into DIR (what
cmake --install puts in share/man/man1).

Flags:
  --output-dir DIR           write every page into DIR
)";

inline constexpr const char* kHelpHelp = R"(Usage: boxtool help [COMMAND]

Prints boxtool's help, or COMMAND's (the same as boxtool COMMAND --help).
)";

inline constexpr const char* kRegistryHelp = R"(Usage: boxtool registry COMMAND [flags]

Manages the encrypted credential store (AES-256-GCM). Passwords are read from standard input
(--password-stdin) or a terminal prompt, never from arguments, and are never printed. A plain
`boxtool pull` uses the entry whose server matches the image (most specific namespace first).

Commands:
  add [NAME] --server HOST[/NAMESPACE] --username USER [--email E] [--disable] [--password-stdin]
      [--backend ssm:/PARAMETER/NAME [--region R]]
                                     with --backend, the password goes to AWS SSM Parameter Store
                                     as a SecureString; only the parameter's name stays here
  add NAME --type ecr --server ACCOUNT.dkr.ecr.REGION.amazonaws.com
                                     no secret at all: each pull gets a short-lived ECR token
  add HOST --username USER ...       the same, named after the host (as `docker login HOST`)
  list [--json]                      entries without their passwords (ID: the first 8 characters)
  show NAME|ID [--json]              one entry without its password
  update NAME|ID [--name N] [--server S] [--username U] [--email E] [--enable|--disable]
                 [--password-stdin|--prompt-password]   changes only what is given (an SSM
                                     entry's new password is written to its parameter)
  rm NAME|ID                         also deletes an entry's SSM parameter (best effort)
An ID may be shortened to any unique prefix of 4 or more characters.

Flags:
  --credential-store FILE   the store (default $BOXTOOL_CREDENTIAL_STORE or ~/.config/boxtool/credentials.store)
  --key-file FILE           a file holding the key (else BOXTOOL_STORE_KEY, BOXTOOL_STORE_KEY_FILE,
                            BOXTOOL_STORE_PASSPHRASE, or a passphrase prompt)
)";

}  // namespace boxtool::cli
