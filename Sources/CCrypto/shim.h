#ifndef ORDER_PIPELINE_CCRYPTO_SHIM_H
#define ORDER_PIPELINE_CCRYPTO_SHIM_H

// Only the one-shot digests: SHA256() and HMAC() are not deprecated in OpenSSL 3 and need no context to own.
#include <openssl/sha.h>
#include <openssl/hmac.h>
#include <openssl/evp.h>
#include <openssl/err.h>

#endif
