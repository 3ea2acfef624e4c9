/*
 * A stand-in bcryptprimitives.dll for running kunci.exe under Wine 8 in the tests only.
 *
 * Rust's standard library (1.78 and later) asks Windows for random bytes through
 * ProcessPrng in bcryptprimitives.dll. Windows 10 and 11 have it; Wine 8 does not, and the
 * program then dies before main with exit status 53. This DLL gives Wine that one function,
 * forwarding to RtlGenRandom (advapi32's SystemFunction036), which Wine has always had.
 * scripts/test-windows builds it with mingw-w64 and copies it into a throwaway Wine prefix.
 * It is never shipped: real Windows has its own.
 */
#include <windows.h>
#include <ntsecapi.h>

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a ULONG length: ask in chunks. */
    while (len > 0) {
        ULONG chunk = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!RtlGenRandom(data, chunk))
            return FALSE;
        data += chunk;
        len -= chunk;
    }
    return TRUE;
}
