#ifndef ORDER_PIPELINE_CCRYPTO_SHIM_H
#define ORDER_PIPELINE_CCRYPTO_SHIM_H

// SHA-256 through EVP with an algorithm fetched once: OpenSSL 3's one-shot SHA256() and HMAC()
// look the algorithm up by name on every call, which cost more than the hashing itself here.
#include <openssl/evp.h>
#include <openssl/err.h>
#include <openssl/sha.h>

#endif
