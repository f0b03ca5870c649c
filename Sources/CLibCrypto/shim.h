#ifndef LISTLEDGER_CLIBCRYPTO_SHIM_H
#define LISTLEDGER_CLIBCRYPTO_SHIM_H
#define OPENSSL_API_COMPAT 30000
#define OPENSSL_NO_DEPRECATED
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/crypto.h>
#include <openssl/rand.h>
#include <openssl/hmac.h>
#endif
