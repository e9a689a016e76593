/* An attacker's "plugin": its constructor runs the moment dlopen maps it, before any check of
 * its table could refuse it. It creates the file named by BOXTOOL_TEST_EVIL_MARKER, so a test
 * can tell whether the loader ever mapped it. */
#include <fcntl.h>
#include <stdlib.h>
#include <unistd.h>

__attribute__((constructor)) static void run_as_the_victim(void) {
    const char* marker = getenv("BOXTOOL_TEST_EVIL_MARKER");
    if (marker) {
        int fd = open(marker, O_CREAT | O_WRONLY, 0644);
        if (fd >= 0) close(fd);
    }
}
