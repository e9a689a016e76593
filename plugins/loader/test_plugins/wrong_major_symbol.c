/* Built for a future ABI: exports boxtool_credential_plugin_v2 instead of _v1. */
#include "common_stubs.h"

static const boxtool_credential_plugin table = {sizeof(boxtool_credential_plugin),
                                                2,
                                                0,
                                                "wrong_major_symbol",
                                                "0.1",
                                                stub_create,
                                                stub_get,
                                                stub_destroy,
                                                NULL};
BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* boxtool_credential_plugin_v2(void);
const boxtool_credential_plugin* boxtool_credential_plugin_v2(void) {
    return &table;
}
