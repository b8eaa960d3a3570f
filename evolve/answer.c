/* answer.c - the Solver's boxed answers, read and verified (see answer.h). */
#include "evolve/answer.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>

#define BOX "\\boxed{"

static char *dup_range(const char *s, size_t n)
{
    while (n && isspace((unsigned char)*s))
        s++, n--;
    while (n && isspace((unsigned char)s[n - 1]))
        n--;
    char *out = malloc(n + 1);
    if (out) {
        memcpy(out, s, n);
        out[n] = 0;
    }
    return out;
}

char *ans_boxed(const char *completion)
{
    const char *last = NULL;
    for (const char *p = strstr(completion, BOX); p; p = strstr(p + 1, BOX))
        last = p;
    if (!last)
        return NULL;
    const char *start = last + strlen(BOX);
    int depth = 1;
    const char *p = start;
    for (; *p && depth; p++)
        depth += (*p == '{') - (*p == '}');
    return depth ? NULL : dup_range(start, (size_t)(p - 1 - start));
}

static int is_word(char c)
{
    return isalnum((unsigned char)c) || c == '_';
}

/* The next word (letters, digits, '_') at or after *p: its start and length; 0 at the end. */
static size_t next_word(const char **p, const char **start)
{
    while (**p && !is_word(**p))
        (*p)++;
    *start = *p;
    while (**p && is_word(**p))
        (*p)++;
    return (size_t)(*p - *start);
}

/* LaTeX wrappers (\text{B}) leave these words behind; they are not answers. */
static int is_markup(const char *w, size_t n)
{
    static const char *const words[] = {"text", "textbf", "mathrm", "mathbf", "boxed"};
    for (size_t i = 0; i < sizeof words / sizeof words[0]; i++)
        if (strlen(words[i]) == n && !strncmp(w, words[i], n))
            return 1;
    return 0;
}

/* Option named by a one-letter word, or -1. */
static int letter_word(const char *w, size_t n, int n_options)
{
    return n == 1 && w[0] >= 'A' && w[0] < 'A' + n_options ? w[0] - 'A' : -1;
}

/* The letter of the first word, or the only distinct letter word; -1 otherwise. */
static int read_letters(const char *answer, int n_options, int first_only)
{
    const char *p = answer, *w;
    size_t n;
    int found = -1, first = 1;
    while ((n = next_word(&p, &w))) {
        if (is_markup(w, n))
            continue;
        int k = letter_word(w, n, n_options);
        if (first && first_only)
            return k;
        first = 0;
        if (k >= 0 && found >= 0 && k != found)
            return -1;
        found = k >= 0 ? k : found;
    }
    return found;
}

/* Whether text occurs in s not glued to other word characters. */
static int contains_bounded(const char *s, const char *text)
{
    size_t n = strlen(text);
    for (const char *p = strstr(s, text); n && p; p = strstr(p + 1, text)) {
        int before = p > s && is_word(p[-1]) && is_word(text[0]);
        int after = is_word(p[n]) && is_word(text[n - 1]);
        if (!before && !after)
            return 1;
    }
    return 0;
}

static int read_option_text(const char *answer, const char *const *options, int n_options)
{
    int found = -1;
    for (int i = 0; options && i < n_options; i++)
        if (!strcmp(answer, options[i]))
            return i;
    for (int i = 0; options && i < n_options; i++)
        if (contains_bounded(answer, options[i])) {
            if (found >= 0)
                return -1;
            found = i;
        }
    return found;
}

/* A lone lowercase letter ("b", "(b)") is read too, but only when it is the whole answer. */
static int lone_lowercase(const char *answer, int n_options)
{
    const char *p = answer, *w;
    size_t n = next_word(&p, &w);
    const char *q = p, *w2;
    if (n != 1 || next_word(&q, &w2) || w[0] < 'a' || w[0] >= 'a' + n_options)
        return -1;
    return w[0] - 'a';
}

int ans_read_option(const char *answer, const char *const *options, int n_options)
{
    if (!answer)
        return -1;
    int k = read_letters(answer, n_options, 1);
    if (k < 0)
        k = read_option_text(answer, options, n_options);
    if (k < 0)
        k = read_letters(answer, n_options, 0);
    return k >= 0 ? k : lone_lowercase(answer, n_options);
}

/* Appends the letters (A-D) or digits (1-4) of one word to the sequence being read. */
static void sequence_word(const char *w, size_t n, int *seq, int *n_seq, int *kinds)
{
    int letters = 1, digits = 1;
    for (size_t i = 0; i < n; i++) {
        letters &= w[i] >= 'A' && w[i] <= 'D';
        digits &= w[i] >= '1' && w[i] <= '4';
    }
    if (!letters && !digits)
        return;
    *kinds |= letters ? 1 : 2;
    for (size_t i = 0; i < n; i++, (*n_seq)++)
        if (*n_seq < 4)
            seq[*n_seq] = letters ? w[i] - 'A' : w[i] - '1';
}

int ans_read_sequence(const char *answer, int out[4])
{
    if (!answer)
        return -1;
    const char *p = answer, *w;
    size_t n;
    int n_seq = 0, kinds = 0, seq[4];
    while ((n = next_word(&p, &w)))
        if (!is_markup(w, n) && strncmp(w, "image", 5))
            sequence_word(w, n, seq, &n_seq, &kinds);
    if (n_seq != 4 || kinds == 3)
        return -1;
    memcpy(out, seq, sizeof seq);
    return 0;
}

static double score_sequence(const char *box, const char *truth)
{
    int seq[4], uses[4] = {0}, right = 0;
    if (ans_read_sequence(box, seq) || strlen(truth) != 4)
        return 0.0;
    for (int i = 0; i < 4; i++) {
        if (++uses[seq[i]] > 2)
            return 0.0;
        right += seq[i] == truth[i] - 'A';
    }
    return right / 4.0;
}

double ans_score(int question_type, const char *completion, const char *truth,
                 const char *const *options)
{
    char *box = ans_boxed(completion);
    double score = 0.0;
    if (box && question_type == 2)
        score = score_sequence(box, truth);
    else if (box)
        score = ans_read_option(box, options, 4) == truth[0] - 'A';
    free(box);
    return score;
}

double ans_format(const char *completion)
{
    char *box = ans_boxed(completion);
    if (!box)
        return 0.0;
    free(box);
    while (isspace((unsigned char)*completion))
        completion++;
    return strncmp(completion, BOX, strlen(BOX)) ? 1.0 : 0.5;
}
