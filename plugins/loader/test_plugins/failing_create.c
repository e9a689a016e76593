/* create always fails, explaining why. */
#include "common_stubs.h"

static int failing(const boxtool_cred_host* host, void** out, const boxtool_cred_sink* errors) {
    static const char why[] = "cannot reach the vault at vault.internal:8200";
    (void)host;
    (void)out;
    errors->put(errors->host_data, BOXTOOL_CRED_FIELD_MESSAGE, why, sizeof why - 1);
    return BOXTOOL_CRED_ERROR;
}
static const boxtool_credential_plugin table = {sizeof(boxtool_credential_plugin),
                                                BOXTOOL_CREDENTIAL_ABI_MAJOR,
                                                0,
                                                "failing_create",
                                                "0.1",
                                                failing,
                                                stub_get,
                                                stub_destroy,
                                                NULL};
BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void) {
    (void)stub_create;
    return &table;
}
