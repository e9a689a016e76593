#!/usr/bin/env python3
"""Pull an image with boxtool's C API from Python (ctypes), printing progress, then inspect it and
show that a cancelled pull raises BoxtoolError(kind="cancelled").

    pull.py REFERENCE STORE_DIR OUTPUT [INSECURE_REGISTRY]
    BOXTOOL_C_LIBRARY=/usr/local/lib/libboxtool-c.so pull.py localhost:5000/team/app:1 /tmp/store oci:/tmp/app
"""
import sys

from boxtool_c import BoxtoolError, Engine


def main(argv):
    if len(argv) < 4:
        print(__doc__, file=sys.stderr)
        return 2
    reference, store, output = argv[1], argv[2], argv[3]
    insecure = argv[4:5]
    engine = Engine(store_root=store, insecure_registries=insecure)

    events = []
    result = engine.pull(reference, output=output, progress=lambda e: events.append(e["event"]))
    print("pulled", result["reference"], result["digest"])
    print("events", ",".join(sorted(set(events))))
    for out in result["outputs"]:
        print("output", out["where"])

    info = engine.inspect(reference)
    print("inspect", info["manifest"]["digest"], len(info["manifest"]["layers"]), "layers")

    cancel = engine.cancel_handle()
    cancel.request()  # already cancelled: the pull stops before it downloads anything
    try:
        engine.pull(reference, output=output + "-cancelled", cancel=cancel)
        print("the cancelled pull succeeded", file=sys.stderr)
        return 1
    except BoxtoolError as e:
        print("cancelled:", e.kind)
        if e.kind != "cancelled":
            return 1
    try:
        engine.pull(reference.rsplit(":", 1)[0] + ":no-such-tag")
    except BoxtoolError as e:
        print("error:", e.kind, "-", e.message)
    engine.close()
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
