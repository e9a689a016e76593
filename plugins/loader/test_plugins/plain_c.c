/* A credential plugin in plain C99: proves the ABI needs no C++. Behaviour by registry:
 * "found.example" -> user "c-user" / password "c-pass" (SOURCE counts calls per instance),
 * "token.example" -> a registry token, "error.example" -> an error, anything else -> not found.
 * Settings containing "fail-create" make create fail. ABI 1.1 get_resource: "test://policy" -> a
 * small JSON document, "test://binary" -> bytes with a NUL, "test://broken" -> an error, anything else
 * -> not found. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "boxtool/credential_plugin.h"

struct instance {
    int calls;
};

static int put_text(const boxtool_cred_sink* sink, int field, const char* text) {
    return sink->put(sink->host_data, field, text, strlen(text));
}

static int plain_create(const boxtool_cred_host* host, void** out, const boxtool_cred_sink* errors) {
    struct instance* self;
    if (host->settings_json && strstr(host->settings_json, "fail-create")) {
        put_text(errors, BOXTOOL_CRED_FIELD_MESSAGE, "settings asked me to fail");
        return BOXTOOL_CRED_ERROR;
    }
    self = (struct instance*)calloc(1, sizeof *self);
    if (!self) return BOXTOOL_CRED_ERROR;
    *out = self;
    return BOXTOOL_CRED_OK;
}

static int plain_get(void* opaque, const char* registry, const char* repository,
                     const boxtool_cred_sink* out) {
    struct instance* self = (struct instance*)opaque;
    char source[64];
    (void)repository;
    self->calls++;
    if (strcmp(registry, "found.example") == 0) {
        snprintf(source, sizeof source, "plain C call %d", self->calls);
        if (put_text(out, BOXTOOL_CRED_FIELD_USERNAME, "c-user") != 0) return BOXTOOL_CRED_ERROR;
        if (put_text(out, BOXTOOL_CRED_FIELD_PASSWORD, "c-pass") != 0) return BOXTOOL_CRED_ERROR;
        put_text(out, BOXTOOL_CRED_FIELD_SOURCE, source);
        return BOXTOOL_CRED_OK;
    }
    if (strcmp(registry, "token.example") == 0) {
        put_text(out, BOXTOOL_CRED_FIELD_REGISTRY_TOKEN, "c-token");
        return BOXTOOL_CRED_OK;
    }
    if (strcmp(registry, "error.example") == 0) {
        put_text(out, BOXTOOL_CRED_FIELD_MESSAGE, "the C plugin's backend is down");
        return BOXTOOL_CRED_ERROR;
    }
    return BOXTOOL_CRED_NOT_FOUND;
}

static void plain_destroy(void* opaque) {
    free(opaque);
}

static int plain_describe(void* opaque, const boxtool_cred_sink* out) {
    (void)opaque;
    return put_text(out, BOXTOOL_CRED_FIELD_MESSAGE, "an in-memory table") == 0 ? BOXTOOL_CRED_OK
                                                                                : BOXTOOL_CRED_ERROR;
}

static int plain_get_resource(void* opaque, const char* uri, const boxtool_cred_sink* out) {
    (void)opaque;
    if (strcmp(uri, "test://policy") == 0) {
        put_text(out, BOXTOOL_CRED_FIELD_SOURCE, "in-memory policy");
        return put_text(out, BOXTOOL_CRED_FIELD_RESOURCE, "{\"default\":[{\"type\":\"reject\"}]}") == 0
                   ? BOXTOOL_CRED_OK
                   : BOXTOOL_CRED_ERROR;
    }
    if (strcmp(uri, "test://binary") == 0)
        return out->put(out->host_data, BOXTOOL_CRED_FIELD_RESOURCE, "a\0b", 3) == 0 ? BOXTOOL_CRED_OK
                                                                                     : BOXTOOL_CRED_ERROR;
    if (strcmp(uri, "test://broken") == 0) {
        put_text(out, BOXTOOL_CRED_FIELD_MESSAGE, "the resource backend is down");
        return BOXTOOL_CRED_ERROR;
    }
    return BOXTOOL_CRED_NOT_FOUND;
}

static const boxtool_credential_plugin plain_table = {sizeof(boxtool_credential_plugin),
                                                      BOXTOOL_CREDENTIAL_ABI_MAJOR,
                                                      BOXTOOL_CREDENTIAL_ABI_MINOR,
                                                      "plain_c",
                                                      "0.1",
                                                      plain_create,
                                                      plain_get,
                                                      plain_destroy,
                                                      plain_describe,
                                                      plain_get_resource};

BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void) {
    return &plain_table;
}
