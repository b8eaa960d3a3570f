/* answer.h - reading and verifying the Solver's answers.
 *
 * The Solver ends with its answer in \boxed{...}. ans_boxed takes the LAST box (nested braces
 * matched, as mathruler's extract_boxed_content does). The box content is read robustly:
 *   - a leading option letter: "B", "(B)", "B.", "B)", "B: ...", "B. image_2", "**B**",
 *     "\text{B}", "Option B" / "Answer: B" (a lone capital A-D word);
 *   - the text of exactly one option: "image_2" (type 0's options are image names), or an
 *     argument repr such as "{'angle': 45}" (type 1);
 *   - for type 2, four letters or 1-based indices in order: "BDAC", "B, D, A, C",
 *     "[B][D][A][C]", "2 4 1 3", "image_1: B, image_2: D, ..." (image names are skipped).
 * Verification is exact against the ground truth from execution; type 2 earns one quarter
 * per correct position (EVE's partial credit) and 0 when a letter is used more than twice.
 *
 *     char *box = ans_boxed(completion);                       // NULL: no box
 *     const char *opts[4] = {"image_1", "image_2", "image_3", "image_4"};
 *     int k = ans_read_option(box, opts, 4);                   // 0..3, or -1
 *     double score = ans_score(0, completion, "B", opts);      // 1.0 when k == 1
 *     free(box);
 *
 * Differences from EVE's grader (which took the first capital A-D anywhere, so "Answer: B"
 * read as A, and "image_2" scored 0): words are read, not characters, and option texts map.
 * An answer naming two different options reads as none (-1).
 */
#ifndef VKEVE_ANSWER_H
#define VKEVE_ANSWER_H

/* Content of the last \boxed{...} (stripped, malloc'd); NULL when there is none or its
 * braces never close. */
char *ans_boxed(const char *completion);

/* The option (0-based) an answer names, among n_options (<= 26) options whose texts are
 * options[i] (NULL: letters only); -1 when it names none or several. */
int ans_read_option(const char *answer, const char *const *options, int n_options);

/* Type 2: four option indices (0-3) for image_1..image_4 into out; returns 0, or -1 when the
 * answer does not read as exactly four. */
int ans_read_sequence(const char *answer, int out[4]);

/* Score of a completion against the truth: types 0 and 1 take a letter ("B") and give 1 or 0;
 * type 2 takes four letters ("BDAC") and gives matching positions / 4. options as for
 * ans_read_option (may be NULL). */
double ans_score(int question_type, const char *completion, const char *truth,
                 const char *const *options);

/* The Solver's format reward: 1 when the completion has a box after some reasoning, 0.5 when
 * it starts with \boxed{ (no reasoning, as EVE scores it), 0 when it has no box. */
double ans_format(const char *completion);

#endif
