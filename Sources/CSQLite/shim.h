#ifndef LISTLEDGER_CSQLITE_SHIM_H
#define LISTLEDGER_CSQLITE_SHIM_H
#include <sqlite3.h>

// Swift cannot import SQLITE_TRANSIENT (a cast of -1 to a function pointer).
static inline sqlite3_destructor_type listledger_sqlite_transient(void) {
    return SQLITE_TRANSIENT;
}

// sqlite3_db_config is variadic, which Swift cannot call: one wrapper per setting used.
static inline int listledger_sqlite_no_checkpoint_on_close(sqlite3 *db) {
    return sqlite3_db_config(db, SQLITE_DBCONFIG_NO_CKPT_ON_CLOSE, 1, (int *)0);
}
#endif
