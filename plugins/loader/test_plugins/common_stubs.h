/* Minimal working functions the broken test plugins share. */
#ifndef TEST_PLUGIN_COMMON_STUBS_H
#define TEST_PLUGIN_COMMON_STUBS_H
#include <string.h>

#include "boxtool/credential_plugin.h"

static int stub_create(const boxtool_cred_host* host, void** out, const boxtool_cred_sink* errors) {
    static int dummy;
    (void)host;
    (void)errors;
    *out = &dummy;
    return BOXTOOL_CRED_OK;
}
static int stub_get(void* self, const char* registry, const char* repository, const boxtool_cred_sink* out) {
    (void)self;
    (void)registry;
    (void)repository;
    (void)out;
    return BOXTOOL_CRED_NOT_FOUND;
}
static void stub_destroy(void* self) {
    (void)self;
}
#endif
