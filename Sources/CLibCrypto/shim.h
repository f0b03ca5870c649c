#ifndef LISTLEDGER_CLIBCRYPTO_SHIM_H
#define LISTLEDGER_CLIBCRYPTO_SHIM_H
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <stddef.h>
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>

/* libcrypto's direct SHA-256 (the same block functions EVP ends in, SHA-NI where the CPU has
   it), which <openssl/sha.h> hides under OPENSSL_NO_DEPRECATED. `verify` hashes three short
   inputs per event; through EVP each digest also paid the provider's dispatch and the
   freeing and making of its context in every EVP_DigestInit_ex2 (OpenSSL 3.0), as much as
   the hashing of a 64-byte node. The functions are still exported by every OpenSSL 3.x. The
   state has the layout of sha.h's SHA256_CTX (struct SHA256state_st); it is only ever
   handled by these functions. */
typedef struct listledger_sha256_state {
    unsigned int h[8];
    unsigned int Nl, Nh;
    unsigned int data[16];
    unsigned int num, md_len;
} listledger_sha256_state;
int SHA256_Init(listledger_sha256_state *c);
int SHA256_Update(listledger_sha256_state *c, const void *data, size_t len);
int SHA256_Final(unsigned char *md, listledger_sha256_state *c);
#endif
