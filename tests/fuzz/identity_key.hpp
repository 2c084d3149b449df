// A fixed RSA key pair (2048 bits, made with `openssl genpkey` for the fuzz targets only, never
// used anywhere else): the identity_token target verifies RS256 with the public key and signs
// fuzzed claims with the private one, so that inputs reach the checks past the signature.
#pragma once

namespace fuzz {

inline constexpr const char* kIdentityPrivateKey = R"PEM(
-----BEGIN PRIVATE KEY-----
MIIEvQIBADANBgkqhkiG9w0BAQEFAASCBKcwggSjAgEAAoIBAQC84fD7jOflvfKQ
i/wObDOdup8lsf/7bkA4G5UaetayhwX+eAwtclB0n2Svqh6nl/lmyvCtSwxd76DZ
9kcMuvdsocjXn9RFeE7Rho05PhfrYOsb9/Dn2vuTfmAHkXrDP/tW2UewfenyCF7c
XDP1fk0Q/anCmX/mNlUjYY3MrGcjAPmOXWDV5GS1e0nTJUnAVhafG9qyIF7qfFrR
pNs7fHipSK3bGnqTI8Z7KNH9CBUDJ55NryKUeLGQ29kHkeNFvNvdA0jvPaTiwe4O
MdHSD0GbCK+6U9UH0elY0Qvqtm1ANLf2PxMKW5EKgibN15FBVkZl2Qx6+g6cDf9e
uwr4OV8JAgMBAAECggEABtolfWKvuPhql87UPouzVaoDAwGRmUP3JXHut060gjZ+
w6wEORPYElsD8pF32jmbrRx4nbjGwpOiYLXb/vy7ZB/8YsIkF78VEOnSLrzvbjUO
Ym3cufSKQuAHSM8AxpuIGS75uE/hEEw4cMMRiXri/dZN9cbOyoG3FfkAhWfNuAnN
grwP3Kx3bM8WkL3VSuktMp2OpDfX9YcF/FL1prWv/2rzi8YU1HMBdz9SkpT7T0ud
25EKKuFBsrf35RdiE/B16ayCE9jWByxhN2LvnCCpFX22Ha/ZZ/tLzUyZrJjkvLcH
n3PO0fEaEX2VUq+GR1pEzO5VucaUjbJdkulgHPSduQKBgQDt9WNLD+UwjMVtmXKz
qaosOGBS1MD4mLjTWbsiFFJndyNwtLiiu1TboOzSJYmPd6SioAn/bWRtSTXYKKuc
67gOjwtohm3f+igfhR4OhWtcP8iSX9eu4h1hL+wPeETvRNsiuj34+w6sxPTo8kNv
N2eWEZBuU7N/I921F2mg6yqMdQKBgQDLNAXPtGkJ65pPBscYS+uzuWZ+JOzQLc1F
v6GVOYpccz29NNnWR0VRAoctPM/GY9dG7JfCoTErWwMhi0JR1piMrzVVJVyffXkV
ydP3FbI/dw2MmAaOgPBeiFwh826aSfqFux+ZQJISj/5SV1CftcdDSR/mOw4aSbwv
pxn1WSkFxQKBgCUsVmydeRJSi20Jsa97a8gornOCJPsw8H6j3+X9ArqDFBhBQy64
0RLWWuihUJIHAMMe+TDb5/pim3S/Nb/32vL7Sa70gSmiLK5v3zgpg5IPrMehDVKW
pDxQfjIUecBfI1STf6broWlAA3p4jixLnXUGHWf+z2WnNrVZiPjIhAcZAoGBAJmc
xzPgV3OHZwyMvB+S7SjdZCzCLz+lEEPE/Rq49+6xs59//5lsIWt/NL8u9IcuXMSi
AIvCnVAAKlrGUqlZR9M6dF/csatkCBA/lfx4q1os3tJE7tf1g0CDZtrHkvoSKM/F
yLpqxMJBlmma1jkWCv/DnNjIFf4rdZa0hPwjnc5dAoGAFmR1L1w/KXtoxrdK5SCC
+H5ezwyTEDObIDRSTSetT2Q7cCuCRPLsPOV6Kx+d0K0MvSF+oY0eZA8AoLCX3wxp
6h5v261Azqrhc+lMenletpvrZfzyqEQPA+x+TPmsFz0jSD6Zk4f7Yi+3HBDCQSdg
DZHAnd6w1W1SO58I0uMtT54=
-----END PRIVATE KEY-----
)PEM";

inline constexpr const char* kIdentityPublicKey = R"PEM(
-----BEGIN PUBLIC KEY-----
MIIBIjANBgkqhkiG9w0BAQEFAAOCAQ8AMIIBCgKCAQEAvOHw+4zn5b3ykIv8Dmwz
nbqfJbH/+25AOBuVGnrWsocF/ngMLXJQdJ9kr6oep5f5ZsrwrUsMXe+g2fZHDLr3
bKHI15/URXhO0YaNOT4X62DrG/fw59r7k35gB5F6wz/7VtlHsH3p8ghe3Fwz9X5N
EP2pwpl/5jZVI2GNzKxnIwD5jl1g1eRktXtJ0yVJwFYWnxvasiBe6nxa0aTbO3x4
qUit2xp6kyPGeyjR/QgVAyeeTa8ilHixkNvZB5HjRbzb3QNI7z2k4sHuDjHR0g9B
mwivulPVB9HpWNEL6rZtQDS39j8TCluRCoImzdeRQVZGZdkMevoOnA3/XrsK+Dlf
CQIDAQAB
-----END PUBLIC KEY-----
)PEM";

}  // namespace fuzz
