/* now.h - a monotonic clock in seconds, for timings and benchmarks.
 *
 *     double t0 = now_seconds();
 *     ... work ...
 *     printf("%.3f s\n", now_seconds() - t0);
 */
#ifndef VKEVE_NOW_H
#define VKEVE_NOW_H

/* Seconds since an arbitrary fixed point; never goes backwards. */
double now_seconds(void);

#endif
