// An allocation counter for benchmarks (scripts/bench-proxy.sh), loaded with LD_PRELOAD: it counts
// every malloc, calloc, realloc and aligned allocation of the process (C++ operator new goes
// through malloc) into a 64-bit counter kept in the file named by MALLOC_COUNT_FILE, mapped
// shared, so the script reads the running total at any moment with `od`. Not a test and not part
// of the build: the script compiles it with `cc -shared -fPIC -O2 -o malloc-count.so`.
#define _GNU_SOURCE
#include <fcntl.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <sys/mman.h>
#include <unistd.h>

extern void* __libc_malloc(size_t);
extern void* __libc_calloc(size_t, size_t);
extern void* __libc_realloc(void*, size_t);
extern void* __libc_memalign(size_t, size_t);

static uint64_t early_count;              // before the file is mapped
static uint64_t* counter = &early_count;  // the shared counter once mapped

__attribute__((constructor)) static void map_counter(void) {
    const char* path = getenv("MALLOC_COUNT_FILE");
    if (!path) return;
    int fd = open(path, O_RDWR | O_CREAT, 0644);
    if (fd < 0) return;
    if (ftruncate(fd, sizeof(uint64_t)) == 0) {
        void* p = mmap(NULL, sizeof(uint64_t), PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
        if (p != MAP_FAILED) {
            *(uint64_t*)p = early_count;
            counter = (uint64_t*)p;
        }
    }
    close(fd);
}

static inline void count(void) { __atomic_fetch_add(counter, 1, __ATOMIC_RELAXED); }

void* malloc(size_t n) { count(); return __libc_malloc(n); }
void* calloc(size_t n, size_t m) { count(); return __libc_calloc(n, m); }
void* realloc(void* p, size_t n) { count(); return __libc_realloc(p, n); }
void* memalign(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
void* aligned_alloc(size_t a, size_t n) { count(); return __libc_memalign(a, n); }
int posix_memalign(void** out, size_t a, size_t n) {
    count();
    void* p = __libc_memalign(a, n);
    if (!p) return 12;  // ENOMEM
    *out = p;
    return 0;
}
