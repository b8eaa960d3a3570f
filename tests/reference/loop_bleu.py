"""loop_bleu.py - reference BLEU, clustering and diversity penalty (tests/test_loop_ref.c).

Usage:
  loop_bleu.py bleu FILE      FILE: JSON list of [reference, hypothesis]; prints one BLEU per
                              pair (NLTK sentence_bleu, whitespace tokens, method1 smoothing)
  loop_bleu.py cluster FILE   FILE: JSON list of square distance matrices; prints one line of
                              cluster labels per matrix (scikit-learn AgglomerativeClustering,
                              precomputed, average linkage, distance_threshold 0.5)
  loop_bleu.py penalty FILE   FILE: JSON list of lists of programs; prints one line of
                              penalties per list, EVE's batch diversity penalty restated:
                              1 - BLEU distances, clustering as above, cluster share min-max
                              normalised (unless all equal), 0 for empty programs, x 0.3.
"""
import json
import sys
from collections import Counter

from nltk.translate.bleu_score import SmoothingFunction, sentence_bleu
from sklearn.cluster import AgglomerativeClustering

SMOOTH = SmoothingFunction().method1


def bleu(ref, hyp):
    return sentence_bleu([ref.split()], hyp.split(), smoothing_function=SMOOTH)


def labels(dist):
    if len(dist) == 1:
        return [0]
    model = AgglomerativeClustering(n_clusters=None, metric="precomputed", linkage="average",
                                    distance_threshold=0.5)
    return [int(x) for x in model.fit_predict(dist)]


def penalty(programs):
    progs = [p[-1000:] for p in programs]
    n = len(progs)
    dist = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            dist[i][j] = dist[j][i] = 1 - bleu(progs[j], progs[i])
    lab = labels(dist)
    size = Counter(lab)
    share = [size[x] / n for x in lab]
    lo, hi = min(share), max(share)
    if hi > lo:
        share = [(s - lo) / (hi - lo) for s in share]
    return [0.0 if not p else s * 0.3 for p, s in zip(progs, share)]


def main():
    mode, path = sys.argv[1], sys.argv[2]
    with open(path, encoding="utf-8") as f:
        data = json.load(f)
    for item in data:
        if mode == "bleu":
            print(repr(float(bleu(item[0], item[1]))))
        elif mode == "cluster":
            print(" ".join(str(x) for x in labels(item)))
        else:
            print(" ".join(repr(float(x)) for x in penalty(item)))


if __name__ == "__main__":
    main()
