#ifndef ORDER_PIPELINE_CCURL_SHIM_H
#define ORDER_PIPELINE_CCURL_SHIM_H

#include <curl/curl.h>
// The trust store reaches the SSL_CTX libcurl creates (CURLOPT_SSL_CTX_FUNCTION) and gives it one
// shared X509_STORE whose bundle lookup decodes certificates lazily (Sources/HTTP/TrustStore.swift).
#include <openssl/ssl.h>
#include <openssl/x509.h>
#include <openssl/x509_vfy.h>

// Swift cannot call C variadic functions, so each argument type libcurl takes gets a typed wrapper.

static inline CURLcode op_curl_easy_setopt_long(CURL *handle, CURLoption option, long value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode op_curl_easy_setopt_pointer(CURL *handle, CURLoption option, const void *value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode op_curl_easy_setopt_offset(CURL *handle, CURLoption option, curl_off_t value) {
    return curl_easy_setopt(handle, option, value);
}

static inline CURLcode op_curl_easy_setopt_ssl_ctx_callback(CURL *handle, CURLoption option, curl_ssl_ctx_callback value) {
    return curl_easy_setopt(handle, option, value);
}

// X509_LOOKUP_add_dir is a macro over X509_LOOKUP_ctrl.
static inline int op_x509_lookup_add_dir(X509_LOOKUP *lookup, const char *directories) {
    return X509_LOOKUP_add_dir(lookup, directories, X509_FILETYPE_PEM);
}

static inline CURLSHcode op_curl_share_setopt_lock_data(CURLSH *share, CURLSHoption option, curl_lock_data value) {
    return curl_share_setopt(share, option, value);
}

static inline CURLcode op_curl_easy_getinfo_long(CURL *handle, CURLINFO info, long *value) {
    return curl_easy_getinfo(handle, info, value);
}

// The socket of a CURLOPT_CONNECT_ONLY connection (CURLINFO_ACTIVESOCKET), which
// Sources/HTTP/HTTPConnection.swift polls between curl_easy_send and curl_easy_recv.
static inline CURLcode op_curl_easy_getinfo_socket(CURL *handle, CURLINFO info, curl_socket_t *value) {
    return curl_easy_getinfo(handle, info, value);
}

#endif
