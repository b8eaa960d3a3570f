/* pool.c - worker threads over a job list (see pool.h). */
#include "evolve/pool.h"

#include <pthread.h>
#include <stdlib.h>

/* prog_run's recursion needs up to 2 MiB under ASan; leave room for the image library. */
#define POOL_STACK_BYTES ((size_t)16 << 20)

typedef struct job {
    pool_fn *fn;
    void *arg;
    struct job *next;
} job;

struct pool {
    pthread_mutex_t lock;
    pthread_cond_t work, idle;
    job *head, *tail;
    int pending; /* submitted and not finished */
    int quit;
    int n_threads;
    pthread_t *threads;
};

static void *worker(void *arg)
{
    pool *p = arg;
    pthread_mutex_lock(&p->lock);
    for (;;) {
        while (!p->head && !p->quit)
            pthread_cond_wait(&p->work, &p->lock);
        if (!p->head)
            break;
        job *j = p->head;
        p->head = j->next;
        if (!p->head)
            p->tail = NULL;
        pthread_mutex_unlock(&p->lock);
        j->fn(j->arg);
        free(j);
        pthread_mutex_lock(&p->lock);
        if (--p->pending == 0)
            pthread_cond_broadcast(&p->idle);
    }
    pthread_mutex_unlock(&p->lock);
    return NULL;
}

static int start_threads(pool *p, int n, errmsg *e)
{
    pthread_attr_t attr;
    if (pthread_attr_init(&attr))
        return err_set(e, ERR_FAIL, "worker threads: cannot set attributes");
    pthread_attr_setstacksize(&attr, POOL_STACK_BYTES);
    int rc = 0;
    for (; p->n_threads < n; p->n_threads++)
        if (pthread_create(&p->threads[p->n_threads], &attr, worker, p)) {
            rc = err_set(e, ERR_FAIL, "worker threads: could start only %d of %d", p->n_threads, n);
            break;
        }
    pthread_attr_destroy(&attr);
    return rc;
}

pool *pool_new(int n_threads, errmsg *e)
{
    if (n_threads < 0 || n_threads > 256) {
        err_set(e, ERR_ENV, "worker threads: %d (0 to 256)", n_threads);
        return NULL;
    }
    pool *p = calloc(1, sizeof *p);
    if (p)
        p->threads = calloc((size_t)n_threads + 1, sizeof *p->threads);
    if (!p || !p->threads) {
        free(p);
        err_set(e, ERR_FAIL, "worker threads: out of memory");
        return NULL;
    }
    pthread_mutex_init(&p->lock, NULL);
    pthread_cond_init(&p->work, NULL);
    pthread_cond_init(&p->idle, NULL);
    if (start_threads(p, n_threads, e)) {
        pool_free(p);
        return NULL;
    }
    return p;
}

int pool_submit(pool *p, pool_fn *fn, void *arg, errmsg *e)
{
    if (!p->n_threads) {
        fn(arg);
        return 0;
    }
    job *j = malloc(sizeof *j);
    if (!j)
        return err_set(e, ERR_FAIL, "worker threads: out of memory queueing a job");
    *j = (job){fn, arg, NULL};
    pthread_mutex_lock(&p->lock);
    if (p->tail)
        p->tail->next = j;
    else
        p->head = j;
    p->tail = j;
    p->pending++;
    pthread_cond_signal(&p->work);
    pthread_mutex_unlock(&p->lock);
    return 0;
}

void pool_wait(pool *p)
{
    pthread_mutex_lock(&p->lock);
    while (p->pending)
        pthread_cond_wait(&p->idle, &p->lock);
    pthread_mutex_unlock(&p->lock);
}

void pool_free(pool *p)
{
    if (!p)
        return;
    pool_wait(p);
    pthread_mutex_lock(&p->lock);
    p->quit = 1;
    pthread_cond_broadcast(&p->work);
    pthread_mutex_unlock(&p->lock);
    for (int i = 0; i < p->n_threads; i++)
        pthread_join(p->threads[i], NULL);
    pthread_cond_destroy(&p->work);
    pthread_cond_destroy(&p->idle);
    pthread_mutex_destroy(&p->lock);
    free(p->threads);
    free(p);
}
