// OpenSSL's libcrypto (Debian: libssl-dev): HMAC and SHA-512 for Upbit's JWT.
#include <openssl/evp.h>
#include <openssl/hmac.h>
#include <openssl/sha.h>
#include <openssl/rand.h>
