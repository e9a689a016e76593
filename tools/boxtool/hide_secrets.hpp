// Hides secrets given on the command line from other local users: /proc/PID/cmdline (what ps
// shows) reads the process's own argv memory, so overwriting it in place hides the password for
// the rest of the run. Only a narrowing of the window: the password was visible until main()
// started, and stays in shell history; --password-stdin is the safe way.
#pragma once

namespace boxtool::cli {

// Overwrites the password part of "--creds USER:PASS" / "--creds=USER:PASS" with 'x'. Call first
// thing in main(), after copying argv.
void hide_secret_arguments(int argc, char** argv);

}  // namespace boxtool::cli
