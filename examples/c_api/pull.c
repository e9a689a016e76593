/* The C API from C: pull an image into an OCI layout, printing progress events.
 *
 *   c_pull REFERENCE STORE_DIR OUTPUT [INSECURE_REGISTRY]
 *   c_pull localhost:5000/team/app:1 /tmp/store oci:/tmp/app:1 localhost:5000
 *
 * Built with CMake (boxtool::c_api) or with pkg-config:
 *   cc pull.c $(pkg-config --cflags --libs boxtool-c) -o c_pull
 */
#include <boxtool/c_api.h>
#include <stdio.h>
#include <string.h>

static void on_event(const char* event_json, void* user_data) {
    int* events = (int*)user_data;
    ++*events;
    printf("%s\n", event_json);
}

int main(int argc, char** argv) {
    if (argc < 4) {
        fprintf(stderr, "usage: %s REFERENCE STORE_DIR OUTPUT [INSECURE_REGISTRY]\n", argv[0]);
        return 2;
    }
    const char* insecure[] = {argc > 4 ? argv[4] : NULL, NULL};

    boxtool_engine_options eo;
    boxtool_engine_options_init(&eo);
    eo.store_root = argv[2];
    eo.insecure_registries = insecure;
    eo.credential_sources_json = "[]"; /* no credential plugins: public images only */

    boxtool_error* err = NULL;
    boxtool_engine* engine = boxtool_engine_create(&eo, &err);
    if (!engine) {
        fprintf(stderr, "%s\n", boxtool_error_text(err));
        boxtool_error_free(err);
        return 1;
    }

    int events = 0;
    boxtool_pull_options po;
    boxtool_pull_options_init(&po);
    po.output = argv[3];
    po.progress = on_event;
    po.progress_data = &events;

    char* result = NULL;
    int kind = boxtool_pull(engine, argv[1], &po, &result, &err);
    if (kind != BOXTOOL_OK) {
        fprintf(stderr, "pull failed (%s): %s\n", boxtool_error_kind_name(err), boxtool_error_text(err));
        boxtool_error_free(err);
        boxtool_engine_destroy(engine);
        return 1;
    }
    printf("result %s\n", result);
    printf("events %d, boxtool %s, C API %d\n", events, boxtool_version(), boxtool_c_api_version());
    boxtool_free(result);
    boxtool_engine_destroy(engine);
    return 0;
}
