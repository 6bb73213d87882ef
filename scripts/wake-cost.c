// What one sleep and wake-up costs a process on this machine, in its own CPU time: a loopback
// TCP round trip of one byte, first with one message in flight (the process sleeps in read()
// for every answer), then with sixteen written before the first is read (it rarely sleeps). The
// difference in CPU per message over the difference in sleeps per message (voluntary context
// switches) is the cost of a sleep. scripts/bench-redis-limits.sh runs it to explain the Redis
// path's cost at low concurrency, where the gateway's loop sleeps once more per request while it
// waits for Redis. The measuring process is pinned to CPU 0, the echo to CPU 1.
//   usage: wake-cost [messages] [rounds]      prints one line per round
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

enum { kPipelined = 16 };

static void pin(int cpu) {
    cpu_set_t set;
    CPU_ZERO(&set);
    CPU_SET(cpu, &set);
    sched_setaffinity(0, sizeof set, &set);
}

static double cpu_us(const struct rusage* r) {
    return (r->ru_utime.tv_sec + r->ru_stime.tv_sec) * 1e6 + r->ru_utime.tv_usec + r->ru_stime.tv_usec;
}

static void no_delay(int fd) {
    int one = 1;
    setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
}

// Sends n one-byte messages, `in_flight` at a time; returns CPU us and sleeps per message.
static void measure(int fd, int n, int in_flight, double* cpu, double* sleeps) {
    struct rusage r0, r1;
    char b = 'x';
    getrusage(RUSAGE_SELF, &r0);
    for (int i = 0; i < n; i += in_flight) {
        for (int j = 0; j < in_flight; j++)
            if (write(fd, &b, 1) != 1) exit(1);
        for (int j = 0; j < in_flight; j++)
            if (read(fd, &b, 1) != 1) exit(1);
    }
    getrusage(RUSAGE_SELF, &r1);
    *cpu = (cpu_us(&r1) - cpu_us(&r0)) / n;
    *sleeps = (double)(r1.ru_nvcsw - r0.ru_nvcsw) / n;
}

int main(int argc, char** argv) {
    int n = argc > 1 ? atoi(argv[1]) : 32000;
    int rounds = argc > 2 ? atoi(argv[2]) : 3;
    n -= n % kPipelined;
    int listener = socket(AF_INET, SOCK_STREAM, 0);
    struct sockaddr_in addr = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
    socklen_t len = sizeof addr;
    if (bind(listener, (struct sockaddr*)&addr, sizeof addr) || listen(listener, 1) ||
        getsockname(listener, (struct sockaddr*)&addr, &len)) {
        perror("wake-cost: listen");
        return 1;
    }
    if (fork() == 0) {  // the echo
        pin(1);
        int fd = socket(AF_INET, SOCK_STREAM, 0);
        if (connect(fd, (struct sockaddr*)&addr, sizeof addr)) _exit(1);
        no_delay(fd);
        char b;
        while (read(fd, &b, 1) == 1)
            if (write(fd, &b, 1) != 1) break;
        _exit(0);
    }
    pin(0);
    int fd = accept(listener, NULL, NULL);
    no_delay(fd);
    double cpu1, sleeps1, cpu16, sleeps16;
    measure(fd, 2000, 1, &cpu1, &sleeps1);  // warm-up
    for (int round = 1; round <= rounds; round++) {
        measure(fd, n, 1, &cpu1, &sleeps1);
        measure(fd, n, kPipelined, &cpu16, &sleeps16);
        printf("round %d: per message, one in flight: %.1f us CPU, %.2f sleeps; %d in flight: %.1f us CPU, %.2f sleeps; "
               "a sleep and wake-up costs %.1f us\n",
               round, cpu1, sleeps1, kPipelined, cpu16, sleeps16, (cpu1 - cpu16) / (sleeps1 - sleeps16));
    }
    close(fd);
    wait(NULL);
    return 0;
}
