/** \file
 * boxtool credential plugin ABI, major version 1.
 *
 * A credential plugin is a shared object exporting ONE symbol, BOXTOOL_CREDENTIAL_PLUGIN_ENTRY
 * (boxtool_credential_plugin_v1), a function returning a pointer to a static
 * boxtool_credential_plugin. The symbol's name carries the major version, so a plugin built for
 * another major version is refused before any of its code runs.
 *
 * Compatibility: within a major version, minor versions only append fields at the end of the
 * structs; struct_size tells each side how many fields the other knows.
 *   1.0  create, get, destroy, describe
 *   1.1  get_resource (other resources a source releases, e.g. a signature policy from a KBS) and
 *        the RESOURCE answer field. A 1.0 plugin's table ends before get_resource: the host
 *        checks struct_size before using it, so 1.0 plugins keep loading and working.
 *
 * Memory: neither side frees what the other allocated. The host owns the memory that answers
 * (usernames, secrets, messages) are written into: the plugin hands bytes to a sink, which copies
 * them, and the host wipes secret copies after use. A plugin should wipe its own copies too.
 *
 * Threads: the host serialises calls into one instance; different instances may run concurrently.
 *
 * Plain C99, no dependencies. Exceptions or longjmp must never leave a plugin function.
 */
#ifndef BOXTOOL_CREDENTIAL_PLUGIN_H
#define BOXTOOL_CREDENTIAL_PLUGIN_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define BOXTOOL_CREDENTIAL_ABI_MAJOR 1
#define BOXTOOL_CREDENTIAL_ABI_MINOR 1

/** The entry symbol. Its name changes with the major version. */
#define BOXTOOL_CREDENTIAL_PLUGIN_ENTRY boxtool_credential_plugin_v1
#define BOXTOOL_CREDENTIAL_PLUGIN_ENTRY_NAME "boxtool_credential_plugin_v1"

#if defined(__GNUC__)
#define BOXTOOL_PLUGIN_EXPORT __attribute__((visibility("default")))
#else
#define BOXTOOL_PLUGIN_EXPORT
#endif

/** Return values of create, get and describe. */
enum {
    BOXTOOL_CRED_OK = 0,        /**< create/describe succeeded; get found credentials */
    BOXTOOL_CRED_NOT_FOUND = 1, /**< get: this source has nothing for the registry; try the next */
    BOXTOOL_CRED_ERROR = 2      /**< a real failure; explain it through the sink's MESSAGE field */
};

/** What a plugin may hand to a sink. */
enum {
    BOXTOOL_CRED_FIELD_USERNAME = 1,
    BOXTOOL_CRED_FIELD_PASSWORD = 2,       /**< secret: Basic password or token-realm password */
    BOXTOOL_CRED_FIELD_IDENTITY_TOKEN = 3, /**< secret: OAuth2 refresh token (docker "identitytoken") */
    BOXTOOL_CRED_FIELD_REGISTRY_TOKEN = 4, /**< secret: bearer token used as is (docker "registrytoken") */
    BOXTOOL_CRED_FIELD_SOURCE = 5,         /**< where the answer came from, e.g. a file and key; no secrets */
    BOXTOOL_CRED_FIELD_MESSAGE = 6,        /**< an error message, or describe's text; no secrets */
    BOXTOOL_CRED_FIELD_RESOURCE = 7        /**< 1.1: get_resource's answer, any bytes, at most 1 MiB */
};

/** Host-owned destination for answers. put copies len bytes of value (not NUL-terminated) into
 * the field, replacing what was there. Returns 0, or -1 when the host refuses the value (unknown
 * field, too long); a plugin receiving -1 should return BOXTOOL_CRED_ERROR. */
typedef struct boxtool_cred_sink {
    void* host_data;
    int (*put)(void* host_data, int field, const char* value, size_t len);
} boxtool_cred_sink;

/** Log levels for boxtool_cred_host.log. */
enum { BOXTOOL_CRED_LOG_INFO = 0, BOXTOOL_CRED_LOG_WARNING = 1 };

/** What the host passes to create. Valid only during the create call, except host_data and log,
 * which stay valid until destroy returns. */
typedef struct boxtool_cred_host {
    uint32_t struct_size; /**< sizeof(boxtool_cred_host) as the host knows it */
    uint16_t abi_major;
    uint16_t abi_minor;
    const char* settings_json; /**< the source's entry from credential_sources, a JSON object */
    size_t settings_len;
    const char* plugin_path; /**< the file the plugin was loaded from */
    void* host_data;
    /** A line for the user's log; never pass secrets. May be NULL. */
    void (*log)(void* host_data, int level, const char* message);
} boxtool_cred_host;

typedef struct boxtool_credential_plugin {
    uint32_t struct_size; /**< sizeof(boxtool_credential_plugin) as the plugin knows it */
    uint16_t abi_major;   /**< must be BOXTOOL_CREDENTIAL_ABI_MAJOR */
    uint16_t abi_minor;
    const char* name;    /**< the name used in credential_sources, e.g. "docker-config" */
    const char* version; /**< the plugin's own version, for messages */

    /** Makes an instance from settings. On failure returns BOXTOOL_CRED_ERROR and explains through
     * errors (MESSAGE). Must not do slow work: lookups happen in get. */
    int (*create)(const boxtool_cred_host* host, void** instance, const boxtool_cred_sink* errors);

    /** Credentials for registry (a normalized host[:port], "docker.io" for Docker Hub) and
     * repository (e.g. "library/alpine"). Writes USERNAME/PASSWORD, or IDENTITY_TOKEN (with
     * USERNAME), or REGISTRY_TOKEN, plus SOURCE, into out and returns BOXTOOL_CRED_OK; or returns
     * BOXTOOL_CRED_NOT_FOUND; or BOXTOOL_CRED_ERROR with a MESSAGE. */
    int (*get)(void* instance, const char* registry, const char* repository, const boxtool_cred_sink* out);

    void (*destroy)(void* instance);

    /** Optional (may be NULL): writes a MESSAGE describing where this instance looks, for
     * "no credentials found; boxtool looked in ..." hints. */
    int (*describe)(void* instance, const boxtool_cred_sink* out);

    /** ABI 1.1. Optional (may be NULL): a resource other than credentials that this source can
     * release, named by a URI, e.g. a Confidential Containers KBS resource holding the signature
     * policy ("kbs:///default/security-policy/test"). Writes the bytes as RESOURCE and where they
     * came from as SOURCE, and returns BOXTOOL_CRED_OK; BOXTOOL_CRED_NOT_FOUND when the URI is not
     * one this source serves (the host asks the next source); BOXTOOL_CRED_ERROR with a MESSAGE. */
    int (*get_resource)(void* instance, const char* uri, const boxtool_cred_sink* out);
} boxtool_credential_plugin;

/** The one function a plugin exports. */
BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void);

#ifdef __cplusplus
}
#endif

#endif /**< BOXTOOL_CREDENTIAL_PLUGIN_H */
