# loop.cmake - the model-independent parts of the EVE loop (evolve/valid, vqa, answer, reward,
# bleu, cluster, queue, sheet; vision/img_phash):
#   test_loop_ref   against independent Python references in tests/reference/loop_*.py
#                   (Pillow + SciPy pHash, NLTK BLEU, scikit-learn clustering, numpy image
#                   checks); needs Debian's python3-scipy, python3-nltk, python3-sklearn
#   test_loop_unit  validity of real programs, questions, answers, rewards, the queue
# Both are built from tests/test_loop_*.c by tests/CMakeLists.txt; this file only sets their
# time limits.
set_tests_properties(test_loop_ref PROPERTIES TIMEOUT 300)
