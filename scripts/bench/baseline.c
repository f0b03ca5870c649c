/*
 * The floor ListLedger's append is compared with: raw SQLite + libcrypto, no validation.
 *
 *   cc -O2 -o baseline baseline.c -lsqlite3 -lcrypto
 *   baseline DB FILE BATCH        (BATCH events per transaction; 1 = one commit per event)
 *
 * FILE holds one JSON object per line, already in canonical form without the ledger's own
 * fields (scripts/bench/run writes it from the same generated input the ledger reads). For
 * each line the program does what the ledger's write path must do at the least:
 *   - pulls `type`, `entry`, `id` and `at` out of the line (a scan, no full JSON parse),
 *     and turns `at` into epoch milliseconds;
 *   - builds the stored canonical bytes: the line with `recorded_at`, `seq` and `v` spliced in
 *     (the same size as the ledger's; key order is not re-sorted: this is a cost floor);
 *   - hash = SHA-256(prev_hash || canonical) with EVP (the same calls LedgerCrypto makes);
 *   - one prepared INSERT into a table of the ledger's shape (events: seq primary key,
 *     id UNIQUE, entry index, the same columns), and, per transaction, the head row update.
 * The database is in WAL mode with synchronous=FULL (read back and checked), like the ledger's.
 *
 * It prints one line: "events=N seconds=S rate=R".
 */
#include <openssl/evp.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

static void die(sqlite3 *db, const char *what) {
    fprintf(stderr, "baseline: %s: %s\n", what, db ? sqlite3_errmsg(db) : "");
    exit(2);
}

static void exec(sqlite3 *db, const char *sql) {
    char *err = NULL;
    if (sqlite3_exec(db, sql, NULL, NULL, &err) != SQLITE_OK) {
        fprintf(stderr, "baseline: %s: %s\n", sql, err);
        exit(2);
    }
}

/* Finds "key":"value" in a compact JSON line; returns a pointer to value and its length. */
static const char *field(const char *line, const char *key, size_t *len) {
    char pattern[64];
    snprintf(pattern, sizeof pattern, "\"%s\":\"", key);
    const char *p = strstr(line, pattern);
    if (!p) return NULL;
    p += strlen(pattern);
    const char *q = p;
    while (*q && *q != '"') {
        if (*q == '\\' && q[1]) q++;
        q++;
    }
    *len = (size_t)(q - p);
    return p;
}

static int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);
    const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + (int64_t)doe - 719468;
}

/* YYYY-MM-DDTHH:MM:SS(+|-)HH:MM or Z -> epoch ms. */
static int64_t parse_at(const char *s, size_t len) {
    if (len < 20) return 0;
    int y = atoi(s), mo = atoi(s + 5), d = atoi(s + 8), h = atoi(s + 11), mi = atoi(s + 14), se = atoi(s + 17);
    int64_t t = (days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400 + h * 3600 + mi * 60 + se) * 1000;
    const char *z = s + 19;
    if (*z == '+' || *z == '-') {
        int off = atoi(z + 1) * 60 + atoi(z + 4);
        t -= (*z == '+' ? 1 : -1) * (int64_t)off * 60000;
    }
    return t;
}

int main(int argc, char **argv) {
    if (argc != 4) {
        fprintf(stderr, "usage: baseline DB FILE BATCH\n");
        return 64;
    }
    const char *path = argv[1];
    long batch = atol(argv[3]);
    if (batch < 1) batch = 1;
    FILE *in = fopen(argv[2], "r");
    if (!in) { perror(argv[2]); return 2; }

    sqlite3 *db;
    if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die(db, "open");
    exec(db, "PRAGMA journal_mode=WAL");
    exec(db, "PRAGMA synchronous=FULL");
    sqlite3_stmt *check;
    sqlite3_prepare_v2(db, "PRAGMA synchronous", -1, &check, NULL);
    if (sqlite3_step(check) != SQLITE_ROW || sqlite3_column_int(check, 0) != 2) die(db, "synchronous is not FULL");
    sqlite3_finalize(check);
    exec(db,
         "CREATE TABLE IF NOT EXISTS events(seq INTEGER PRIMARY KEY CHECK (seq >= 1), id TEXT UNIQUE, entry TEXT,"
         " type TEXT NOT NULL, at_ms INTEGER NOT NULL, recorded_ms INTEGER NOT NULL, canonical BLOB NOT NULL,"
         " prev_hash BLOB NOT NULL, hash BLOB NOT NULL) STRICT;"
         "CREATE INDEX IF NOT EXISTS events_by_entry ON events(entry, seq);"
         "CREATE TABLE IF NOT EXISTS head(id INTEGER PRIMARY KEY CHECK (id = 1), size INTEGER NOT NULL, hash BLOB NOT NULL,"
         " recorded_ms INTEGER NOT NULL) STRICT;"
         "INSERT OR IGNORE INTO head VALUES (1, 0, zeroblob(32), 0);");

    sqlite3_stmt *insert, *head, *update;
    if (sqlite3_prepare_v3(db,
                           "INSERT INTO events(seq, id, entry, type, at_ms, recorded_ms, canonical, prev_hash, hash)"
                           " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
                           -1, SQLITE_PREPARE_PERSISTENT, &insert, NULL) != SQLITE_OK)
        die(db, "prepare insert");
    if (sqlite3_prepare_v3(db, "SELECT size, hash FROM head WHERE id = 1", -1, SQLITE_PREPARE_PERSISTENT, &head, NULL) != SQLITE_OK)
        die(db, "prepare head");
    if (sqlite3_prepare_v3(db, "UPDATE head SET size = ?, hash = ?, recorded_ms = ? WHERE id = 1", -1, SQLITE_PREPARE_PERSISTENT,
                           &update, NULL) != SQLITE_OK)
        die(db, "prepare update");

    EVP_MD_CTX *ctx = EVP_MD_CTX_new();
    const EVP_MD *sha256 = EVP_sha256();
    unsigned char prev[32], hash[32];
    size_t cap = 1 << 16;
    char *line = malloc(cap), *canonical = malloc(cap + 256);
    long n = 0;
    struct timespec t0, t1;
    clock_gettime(CLOCK_MONOTONIC, &t0);

    int eof = 0;
    while (!eof) {
        exec(db, "BEGIN IMMEDIATE");
        sqlite3_reset(head);
        if (sqlite3_step(head) != SQLITE_ROW) die(db, "head");
        int64_t seq = sqlite3_column_int64(head, 0);
        memcpy(prev, sqlite3_column_blob(head, 1), 32);
        sqlite3_reset(head);
        struct timespec now;
        clock_gettime(CLOCK_REALTIME, &now);
        int64_t recorded = (int64_t)now.tv_sec * 1000 + now.tv_nsec / 1000000;
        time_t secs = (time_t)(recorded / 1000);
        struct tm tm;
        gmtime_r(&secs, &tm);
        char recorded_at[80];
        snprintf(recorded_at, sizeof recorded_at, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                 tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, (int)(recorded % 1000));
        long inBatch = 0;
        while (inBatch < batch) {
            ssize_t got = getline(&line, &cap, in);
            if (got <= 0) { eof = 1; break; }
            canonical = realloc(canonical, cap + 256);
            if (line[got - 1] == '\n') line[--got] = 0;
            if (got < 2) continue;
            seq += 1;
            size_t typeLen = 0, entryLen = 0, idLen = 0, atLen = 0;
            const char *type = field(line, "type", &typeLen);
            const char *entry = field(line, "entry", &entryLen);
            const char *id = field(line, "id", &idLen);
            const char *at = field(line, "at", &atLen);
            if (!type || !at) { fprintf(stderr, "baseline: line %ld has no type or at\n", n + 1); return 1; }
            int len = snprintf(canonical, cap + 256, "{\"recorded_at\":\"%s\",\"seq\":%lld,\"v\":1,%s", recorded_at,
                               (long long)seq, line + 1);
            if (!EVP_DigestInit_ex(ctx, sha256, NULL) || !EVP_DigestUpdate(ctx, prev, 32) ||
                !EVP_DigestUpdate(ctx, canonical, (size_t)len) || !EVP_DigestFinal_ex(ctx, hash, NULL)) {
                fprintf(stderr, "baseline: sha256 failed\n");
                return 2;
            }
            sqlite3_bind_int64(insert, 1, seq);
            if (id) sqlite3_bind_text(insert, 2, id, (int)idLen, SQLITE_TRANSIENT); else sqlite3_bind_null(insert, 2);
            if (entry) sqlite3_bind_text(insert, 3, entry, (int)entryLen, SQLITE_TRANSIENT); else sqlite3_bind_null(insert, 3);
            sqlite3_bind_text(insert, 4, type, (int)typeLen, SQLITE_TRANSIENT);
            sqlite3_bind_int64(insert, 5, parse_at(at, atLen));
            sqlite3_bind_int64(insert, 6, recorded);
            sqlite3_bind_blob(insert, 7, canonical, len, SQLITE_TRANSIENT);
            sqlite3_bind_blob(insert, 8, prev, 32, SQLITE_TRANSIENT);
            sqlite3_bind_blob(insert, 9, hash, 32, SQLITE_TRANSIENT);
            if (sqlite3_step(insert) != SQLITE_DONE) die(db, "insert");
            sqlite3_reset(insert);
            memcpy(prev, hash, 32);
            inBatch++;
            n++;
        }
        sqlite3_bind_int64(update, 1, seq);
        sqlite3_bind_blob(update, 2, prev, 32, SQLITE_TRANSIENT);
        sqlite3_bind_int64(update, 3, recorded);
        if (sqlite3_step(update) != SQLITE_DONE) die(db, "update head");
        sqlite3_reset(update);
        exec(db, "COMMIT");
    }
    clock_gettime(CLOCK_MONOTONIC, &t1);
    double seconds = (double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;
    printf("events=%ld seconds=%.3f rate=%.1f\n", n, seconds, seconds > 0 ? n / seconds : 0);
    EVP_MD_CTX_free(ctx);
    sqlite3_finalize(insert);
    sqlite3_finalize(head);
    sqlite3_finalize(update);
    sqlite3_close(db);
    fclose(in);
    return 0;
}
