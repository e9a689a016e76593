/* Exports the v1 symbol but its table says major version 3. */
#include "common_stubs.h"

static const boxtool_credential_plugin table = {sizeof(boxtool_credential_plugin),
                                                3,
                                                0,
                                                "wrong_major_field",
                                                "0.1",
                                                stub_create,
                                                stub_get,
                                                stub_destroy,
                                                NULL};
BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void) {
    return &table;
}
