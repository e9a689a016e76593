/* Answers that break the contract, by registry: "empty.example" found-without-secret,
 * "colon.example" a username with ':', "nul.example" a NUL byte, "status.example" status 7. */
#include <string.h>

#include "common_stubs.h"

static int bad_get(void* self, const char* registry, const char* repository, const boxtool_cred_sink* out) {
    (void)self;
    (void)repository;
    if (strcmp(registry, "colon.example") == 0) {
        out->put(out->host_data, BOXTOOL_CRED_FIELD_USERNAME, "a:b", 3);
        out->put(out->host_data, BOXTOOL_CRED_FIELD_PASSWORD, "pw", 2);
        return BOXTOOL_CRED_OK;
    }
    if (strcmp(registry, "nul.example") == 0) {
        out->put(out->host_data, BOXTOOL_CRED_FIELD_USERNAME, "u", 1);
        if (out->put(out->host_data, BOXTOOL_CRED_FIELD_PASSWORD, "p\0w", 3) != 0) return BOXTOOL_CRED_OK;
        return BOXTOOL_CRED_OK;
    }
    if (strcmp(registry, "status.example") == 0) return 7;
    return BOXTOOL_CRED_OK; /* found, with nothing at all */
}
static const boxtool_credential_plugin table = {sizeof(boxtool_credential_plugin),
                                                BOXTOOL_CREDENTIAL_ABI_MAJOR,
                                                0,
                                                "bad_answer",
                                                "0.1",
                                                stub_create,
                                                bad_get,
                                                stub_destroy,
                                                NULL};
BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void) {
    (void)stub_get;
    return &table;
}
