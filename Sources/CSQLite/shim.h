#ifndef LISTLEDGER_CSQLITE_SHIM_H
#define LISTLEDGER_CSQLITE_SHIM_H
#include <sqlite3.h>

// Swift cannot import SQLITE_TRANSIENT (a cast of -1 to a function pointer).
static inline sqlite3_destructor_type listledger_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}
#endif
