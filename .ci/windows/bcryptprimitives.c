/*
 * A stand-in for Windows' bcryptprimitives.dll, for running tests under
 * Wine 8, which does not ship it.
 *
 * Rust's standard library imports ProcessPrng from this DLL to seed its
 * hash maps. Here it forwards to RtlGenRandom (exported by advapi32 as
 * SystemFunction036), which Wine implements on top of the host's random
 * source. This file is only ever built for the CI's Wine prefix.
 */
#include <windows.h>

BOOLEAN WINAPI SystemFunction036(PVOID buffer, ULONG length);

BOOL WINAPI ProcessPrng(PBYTE data, SIZE_T len)
{
    /* RtlGenRandom takes a 32-bit length, so fill large buffers in parts. */
    while (len > 0) {
        ULONG part = len > 0x10000000 ? 0x10000000 : (ULONG)len;
        if (!SystemFunction036(data, part))
            return FALSE;
        data += part;
        len -= part;
    }
    return TRUE;
}
