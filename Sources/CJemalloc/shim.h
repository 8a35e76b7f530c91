#ifndef REHEARSE_CJEMALLOC_SHIM_H
#define REHEARSE_CJEMALLOC_SHIM_H
#include <jemalloc/jemalloc.h>
#endif
