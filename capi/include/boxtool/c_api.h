/** \file
 * boxtool's C API (library boxtool::c_api, libboxtool-c.so): the pull engine behind a small, stable
 * C ABI, so that other languages (Python through ctypes, Go through cgo, Rust...) can embed it.
 *
 *     boxtool_engine_options eo;
 *     boxtool_engine_options_init(&eo);
 *     eo.store_root = "/var/lib/app/images";
 *     boxtool_error* err = NULL;
 *     boxtool_engine* engine = boxtool_engine_create(&eo, &err);
 *     if (!engine) { fprintf(stderr, "%s\n", boxtool_error_text(err)); boxtool_error_free(err); return 1; }
 *
 *     boxtool_pull_options po;
 *     boxtool_pull_options_init(&po);
 *     po.output = "oci:/tmp/app:1";
 *     char* result = NULL;
 *     if (boxtool_pull(engine, "registry.example.com/team/app:1", &po, &result, &err) != BOXTOOL_OK) {
 *         fprintf(stderr, "%s\n", boxtool_error_text(err));
 *         boxtool_error_free(err);
 *     } else {
 *         printf("%s\n", result);   // {"reference":...,"digest":...,"manifest":...}
 *         boxtool_free(result);
 *     }
 *     boxtool_engine_destroy(engine);
 *
 * Compatibility: the option structs start with struct_size, and later versions only append fields;
 * the *_init functions set struct_size and the defaults, so a program built against an older
 * header keeps working with a newer library. BOXTOOL_C_API_VERSION changes when anything here does.
 *
 * Memory: strings returned through char** are the caller's, freed with boxtool_free(); errors with
 * boxtool_error_free(). Strings passed in are copied as needed; none is kept after a call returns.
 *
 * Threads: one engine may be used by several threads at once (they share its store, token cache
 * and connections). A progress callback runs on the thread that called boxtool_pull(), one event
 * at a time. boxtool_cancel_request() may be called from any thread, but not from a signal
 * handler (write to a pipe there, and cancel from the thread that reads it).
 *
 * Secrets: passwords given here are used for the listed registries only, never logged, and wiped
 * from boxtool's memory when the engine is destroyed.
 */
#ifndef BOXTOOL_C_API_H
#define BOXTOOL_C_API_H

#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOXTOOL_C_API_VERSION 1

#if defined(__GNUC__)
#define BOXTOOL_C_EXPORT __attribute__((visibility("default")))
#else
#define BOXTOOL_C_EXPORT
#endif

/** What went wrong, with the registry's meaning. 0 is success; the numbers never change. */
typedef enum boxtool_error_kind {
    BOXTOOL_OK = 0,
    BOXTOOL_ERR_INVALID_REFERENCE = 1,
    BOXTOOL_ERR_INVALID_ARGUMENT = 2,
    BOXTOOL_ERR_UNAUTHORIZED = 3,
    BOXTOOL_ERR_DENIED = 4,
    BOXTOOL_ERR_NAME_UNKNOWN = 5,
    BOXTOOL_ERR_MANIFEST_UNKNOWN = 6,
    BOXTOOL_ERR_BLOB_UNKNOWN = 7,
    BOXTOOL_ERR_TOO_MANY_REQUESTS = 8,
    BOXTOOL_ERR_TLS = 9,
    BOXTOOL_ERR_NETWORK = 10,
    BOXTOOL_ERR_TIMEOUT = 11,
    BOXTOOL_ERR_SERVER_ERROR = 12,
    BOXTOOL_ERR_DIGEST_MISMATCH = 13,
    BOXTOOL_ERR_SIZE_MISMATCH = 14,
    BOXTOOL_ERR_INVALID_MANIFEST = 15,
    BOXTOOL_ERR_NO_MATCHING_PLATFORM = 16,
    BOXTOOL_ERR_PROTOCOL = 17,
    BOXTOOL_ERR_IO = 18,
    BOXTOOL_ERR_CONFIG = 19,
    BOXTOOL_ERR_POLICY_DENIED = 20,
    BOXTOOL_ERR_POLICY_ERROR = 21,
    BOXTOOL_ERR_PLUGIN = 22,
    BOXTOOL_ERR_ALL_CANDIDATES_FAILED = 23,
    BOXTOOL_ERR_CANCELLED = 24,
    BOXTOOL_ERR_UNSAFE_LAYER = 25,
    BOXTOOL_ERR_INTERNAL = 26
} boxtool_error_kind;

typedef struct boxtool_engine boxtool_engine;
typedef struct boxtool_error boxtool_error;
typedef struct boxtool_cancel boxtool_cancel;

typedef struct boxtool_engine_options {
    size_t struct_size;                      /**< sizeof(boxtool_engine_options), set by _init */
    const char* store_root;                  /**< NULL: $XDG_DATA_HOME/boxtool/store or ~/.local/share/... */
    const char* const* search_registries;    /**< NULL-terminated; tried in order for unqualified names */
    const char* const* insecure_registries;  /**< NULL-terminated; plain HTTP / unverified TLS allowed */
    const char* const* ca_files;             /**< NULL-terminated PEM files trusted besides the system's */
    const char* const* certs_dirs;           /**< NULL-terminated certs.d folders (docker/podman layout) */
    /** Credentials given directly: sent only to the registries in credential_registries (required
     * when username is set). Tried before the credential sources below. */
    const char* username;
    const char* password;
    const char* const* credential_registries;
    /** The credential plugin chain, as the config file's "credential_sources" (a JSON array text).
     * NULL: the default chain (the encrypted store when its file exists, then docker and podman
     * logins); "[]": none. */
    const char* credential_sources_json;
    const char* const* plugin_dirs;          /**< NULL-terminated folders searched for plugins first */
    const char* policy_file;                 /**< a Lua policy script; NULL: the built-in search order */
    int connect_timeout_ms;                  /**< default 2000 */
    int io_timeout_ms;                       /**< default 60000 */
    int retries;                             /**< default 3 */
    const char* user_agent;                  /**< NULL: "boxtool" */
} boxtool_engine_options;

/** Called with one progress event as one line of JSON (what `boxtool pull --progress json` prints),
 * on the thread that called boxtool_pull(). The string is valid during the call only. */
typedef void (*boxtool_progress_fn)(const char* event_json, void* user_data);

typedef struct boxtool_pull_options {
    size_t struct_size;          /**< sizeof(boxtool_pull_options), set by _init */
    const char* platform;        /**< "linux/arm64"; NULL: the host's */
    const char* output;          /**< "oci:DIR[:TAG]", "oci-archive:FILE[:TAG]", "docker-archive:FILE[:NAME:TAG]",
                                    "rootfs:DIR"; NULL: into the store only */
    int jobs;                    /**< concurrent downloads; 0: the default (4) */
    int rootless;                /**< rootfs: skip ownership and device nodes (always so when not root) */
    boxtool_progress_fn progress;
    void* progress_data;
    boxtool_cancel* cancel;      /**< NULL: not cancellable */
} boxtool_pull_options;

BOXTOOL_C_EXPORT void boxtool_engine_options_init(boxtool_engine_options* options);
BOXTOOL_C_EXPORT void boxtool_pull_options_init(boxtool_pull_options* options);

/** NULL on failure, with *error set (when error is not NULL). */
BOXTOOL_C_EXPORT boxtool_engine* boxtool_engine_create(const boxtool_engine_options* options, boxtool_error** error);
BOXTOOL_C_EXPORT void boxtool_engine_destroy(boxtool_engine* engine);

/** Pulls `reference`. Returns BOXTOOL_OK and, when result_json is not NULL, a JSON document
 * {"reference","digest","mediaType","manifest","platform","bytesDownloaded","blobsDownloaded",
 *  "blobsCached","outputs":[{"where","refName","writtenManifest","warnings"}]}; otherwise the
 * error's kind, with *error set. */
BOXTOOL_C_EXPORT int boxtool_pull(boxtool_engine* engine, const char* reference, const boxtool_pull_options* options,
                                  char** result_json, boxtool_error** error);

/** What `reference` resolves to, without pulling layers: {"reference","digest","mediaType",
 * "platforms":[...],"manifest":{"digest","mediaType","platform","config","layers"}}. `platform` may
 * be NULL (the host's). Returns as boxtool_pull(). */
BOXTOOL_C_EXPORT int boxtool_inspect(boxtool_engine* engine, const char* reference, const char* platform,
                                     char** result_json, boxtool_error** error);

/** A cancellation handle, shareable between pulls. Once requested it stays requested. */
BOXTOOL_C_EXPORT boxtool_cancel* boxtool_cancel_create(void);
BOXTOOL_C_EXPORT void boxtool_cancel_request(boxtool_cancel* cancel);
BOXTOOL_C_EXPORT void boxtool_cancel_destroy(boxtool_cancel* cancel);

BOXTOOL_C_EXPORT int boxtool_error_kind_of(const boxtool_error* error);
BOXTOOL_C_EXPORT const char* boxtool_error_kind_name(const boxtool_error* error); /**< "manifest-unknown" */
BOXTOOL_C_EXPORT const char* boxtool_error_message(const boxtool_error* error);
BOXTOOL_C_EXPORT const char* boxtool_error_hint(const boxtool_error* error);      /**< "" when none */
BOXTOOL_C_EXPORT const char* boxtool_error_registry(const boxtool_error* error);  /**< "" when none */
BOXTOOL_C_EXPORT const char* boxtool_error_repository(const boxtool_error* error);
BOXTOOL_C_EXPORT const char* boxtool_error_text(const boxtool_error* error);      /**< message, place and hint */
BOXTOOL_C_EXPORT void boxtool_error_free(boxtool_error* error);

BOXTOOL_C_EXPORT void boxtool_free(char* text);
BOXTOOL_C_EXPORT const char* boxtool_version(void);
BOXTOOL_C_EXPORT int boxtool_c_api_version(void);

#ifdef __cplusplus
}
#endif

#endif /**< BOXTOOL_C_API_H */
