// A C++ plugin that breaks the contract: an exception escapes get (no helper header to catch it).
#include <stdexcept>

#include "boxtool/credential_plugin.h"

namespace {
int create(const boxtool_cred_host*, void** out, const boxtool_cred_sink*) {
    static int dummy;
    *out = &dummy;
    return BOXTOOL_CRED_OK;
}
int get(void*, const char*, const char*, const boxtool_cred_sink*) {
    throw std::runtime_error("oops");
}
void destroy(void*) {}
const boxtool_credential_plugin table = {sizeof(boxtool_credential_plugin),
                                         BOXTOOL_CREDENTIAL_ABI_MAJOR,
                                         0,
                                         "throwing_get",
                                         "0.1",
                                         create,
                                         get,
                                         destroy,
                                         nullptr};
}  // namespace

extern "C" BOXTOOL_PLUGIN_EXPORT const boxtool_credential_plugin* BOXTOOL_CREDENTIAL_PLUGIN_ENTRY(void) {
    return &table;
}
