/* A shared object that is not a boxtool plugin: no entry symbol at all. */
#include "boxtool/credential_plugin.h"

BOXTOOL_PLUGIN_EXPORT int some_other_function(void);
int some_other_function(void) {
    return 42;
}
