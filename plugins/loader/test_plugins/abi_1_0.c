/* A plugin as built against ABI 1.0: its table ends before get_resource (struct_size says so) and
 * declares minor version 0. The memory after it holds a get_resource that aborts the process, so a
 * host that reads past struct_size is caught. Credentials: "found.example" -> "old-user"/"old-pass". */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "boxtool/credential_plugin.h"

static int put_text(const boxtool_cred_sink* sink, int field, const char* text) {
    return sink->put(sink->host_data, field, text, strlen(text));
}

static int old_create(const boxtool_cred_host* host, void** out, const boxtool_cred_sink* errors) {
    (void)host;
    (void)errors;
    *out = malloc(1);
    return *out ? BOXTOOL_CRED_OK : BOXTOOL_CRED_ERROR;
}

static int old_get(void* self, const char* registry, const char* repository, const boxtool_cred_sink* out) {
    (void)self;
    (void)repository;
    if (strcmp(registry, "found.example") != 0) return BOXTOOL_CRED_NOT_FOUND;
    if (put_text(out, BOXTOOL_CRED_FIELD_USERNAME, "old-user") != 0) return BOXTOOL_CRED_ERROR;
    if (put_text(out, BOXTOOL_CRED_FIELD_PASSWORD, "old-pass") != 0) return BOXTOOL_CRED_ERROR;
    return BOXTOOL_CRED_OK;
}

static void old_destroy(void* self) {
    free(self);
}

static int beyond_the_table(void* self, const char* uri, const boxtool_cred_sink* out) {
    (void)self;
    (void)uri;
    (void)out;
    abort(); /* a 1.0 table has no such field: the host must never call it */
}

static const boxtool_credential_plugin old_table = {offsetof(boxtool_credential_plugin, get_resource),
                                                    BOXTOOL_CREDENTIAL_ABI_MAJOR,
                                                    0,
                                                    "abi_1_0",
                                                    "1.0",
                                                    old_create,
                                                    old_get,
                                                    old_destroy,
                                                    NULL,
                                                    beyond_the_table};

BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void) {
    return &old_table;
}
