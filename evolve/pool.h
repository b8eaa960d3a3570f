/* pool.h - a few worker threads that run submitted jobs, so the CPU can execute programs while
 * the device generates.
 *
 * Jobs run in submission order on whichever worker is free; pool_wait returns when every job
 * submitted so far has finished. Workers get a large stack (prog_run needs about 1 MiB of C
 * stack, 2 MiB under AddressSanitizer). With 0 threads, pool_submit runs the job itself.
 *
 *     pool *p = pool_new(4, &e);
 *     for (int i = 0; i < n; i++)
 *         pool_submit(p, run_one, &jobs[i], &e);
 *     ... other work ...
 *     pool_wait(p);
 *     pool_free(p);
 */
#ifndef VKEVE_POOL_H
#define VKEVE_POOL_H

#include "base/errmsg.h"

typedef struct pool pool;
typedef void pool_fn(void *arg);

/* A pool of n_threads workers (0 to 256); NULL with e filled when threads cannot start. */
pool *pool_new(int n_threads, errmsg *e);

/* Queues fn(arg). Returns 0, or ERR_FAIL when out of memory (the job did not run). */
int pool_submit(pool *p, pool_fn *fn, void *arg, errmsg *e);

/* Blocks until every submitted job has finished. */
void pool_wait(pool *p);

/* Waits for the jobs, stops the workers and frees p. NULL is a no-op. */
void pool_free(pool *p);

#endif
