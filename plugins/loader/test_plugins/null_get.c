/* A table whose get function is NULL. */
#include "common_stubs.h"

static const boxtool_credential_plugin table = {sizeof(boxtool_credential_plugin),
                                                BOXTOOL_CREDENTIAL_ABI_MAJOR,
                                                0,
                                                "null_get",
                                                "0.1",
                                                stub_create,
                                                NULL,
                                                stub_destroy,
                                                NULL};
BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void) {
    (void)stub_get;
    return &table;
}
